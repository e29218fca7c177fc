#pragma once
// What the face pipeline made of each photo of an evaluation (embedding, gates), kept on disk so that
// repeated runs of `faceid eval identify` over thousands of photos analyse each photo once. The cache
// is a folder: analysis.tsv (path, role, status, gate reasons, quality score, row) and embeddings.f32
// (one row of kEmbeddingDim floats per analysed face). It is keyed by the pipeline settings that change
// an embedding: a cache made with other settings is ignored.
#include "core/face.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faceid::app {

struct PhotoAnalysis {
    enum class Status { kFace, kNoFace, kUnreadable };
    Status status = Status::kNoFace;
    std::vector<std::string> reasons;  // failed quality gates of the analysed face (empty: passed)
    double quality = 0;
    Embedding embedding;  // empty unless embedded (registration embeds only faces that pass)
    bool passed() const { return status == Status::kFace && reasons.empty(); }
};

class PhotoAnalysisCache {
  public:
    // `settings` names what the embeddings depend on (e.g. "flip=1;landmarks2=1").
    PhotoAnalysisCache(std::filesystem::path folder, std::string settings);

    // key: the role and the photo path.
    std::optional<PhotoAnalysis> find(const std::string& key) const;
    void put(const std::string& key, PhotoAnalysis analysis);
    void save() const;  // no-op without a folder
    size_t size() const { return entries_.size(); }

  private:
    std::filesystem::path folder_;
    std::string settings_;
    std::map<std::string, PhotoAnalysis> entries_;
};

}  // namespace faceid::app
