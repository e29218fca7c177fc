#include "app/photo_analysis_cache.h"

#include "core/error.h"

#include <fstream>
#include <sstream>

namespace faceid::app {

namespace fs = std::filesystem;

namespace {
const char* status_name(PhotoAnalysis::Status status) {
    switch (status) {
        case PhotoAnalysis::Status::kFace:
            return "face";
        case PhotoAnalysis::Status::kNoFace:
            return "no_face";
        case PhotoAnalysis::Status::kUnreadable:
            return "unreadable";
    }
    return "?";
}

PhotoAnalysis::Status status_from(const std::string& name) {
    if (name == "face") return PhotoAnalysis::Status::kFace;
    if (name == "no_face") return PhotoAnalysis::Status::kNoFace;
    return PhotoAnalysis::Status::kUnreadable;
}

std::string joined(const std::vector<std::string>& reasons) {
    std::string out;
    for (const auto& r : reasons) out += (out.empty() ? "" : ",") + r;
    return out.empty() ? "-" : out;
}

std::vector<std::string> split_reasons(const std::string& text) {
    std::vector<std::string> reasons;
    if (text == "-") return reasons;
    std::istringstream in(text);
    std::string r;
    while (std::getline(in, r, ',')) reasons.push_back(r);
    return reasons;
}
}  // namespace

PhotoAnalysisCache::PhotoAnalysisCache(fs::path folder, std::string settings)
    : folder_(std::move(folder)), settings_(std::move(settings)) {
    if (folder_.empty()) return;
    std::ifstream index(folder_ / "analysis.tsv");
    std::ifstream rows(folder_ / "embeddings.f32", std::ios::binary);
    if (!index || !rows) return;
    std::string line;
    if (!std::getline(index, line) || line != "# settings " + settings_) return;  // made otherwise
    while (std::getline(index, line)) {
        std::istringstream fields(line);
        std::string key, status, reasons, quality, row;
        if (!std::getline(fields, key, '\t') || !std::getline(fields, status, '\t') ||
            !std::getline(fields, reasons, '\t') || !std::getline(fields, quality, '\t') ||
            !std::getline(fields, row, '\t'))
            continue;
        PhotoAnalysis analysis;
        analysis.status = status_from(status);
        analysis.reasons = split_reasons(reasons);
        analysis.quality = std::stod(quality);
        if (const long long r = std::stoll(row); r >= 0) {
            analysis.embedding.resize(kEmbeddingDim);
            rows.seekg(std::streamoff(r) * kEmbeddingDim * sizeof(float));
            rows.read(reinterpret_cast<char*>(analysis.embedding.data()), kEmbeddingDim * sizeof(float));
            if (!rows)
                throw Error(ErrorCode::kInternal, "truncated " + (folder_ / "embeddings.f32").string());
        }
        entries_[key] = std::move(analysis);
    }
}

std::optional<PhotoAnalysis> PhotoAnalysisCache::find(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

void PhotoAnalysisCache::put(const std::string& key, PhotoAnalysis analysis) {
    entries_[key] = std::move(analysis);
}

void PhotoAnalysisCache::save() const {
    if (folder_.empty()) return;
    fs::create_directories(folder_);
    std::ofstream index(folder_ / "analysis.tsv.tmp");
    std::ofstream rows(folder_ / "embeddings.f32.tmp", std::ios::binary);
    index << "# settings " << settings_ << "\n";
    long long next_row = 0;
    for (const auto& [key, a] : entries_) {
        const long long row = a.embedding.size() == size_t(kEmbeddingDim) ? next_row++ : -1;
        if (row >= 0)
            rows.write(reinterpret_cast<const char*>(a.embedding.data()), kEmbeddingDim * sizeof(float));
        index << key << '\t' << status_name(a.status) << '\t' << joined(a.reasons) << '\t' << a.quality
              << '\t' << row << '\n';
    }
    index.close();
    rows.close();
    if (!index || !rows) throw Error(ErrorCode::kInternal, "cannot write the cache in " + folder_.string());
    fs::rename(folder_ / "embeddings.f32.tmp", folder_ / "embeddings.f32");
    fs::rename(folder_ / "analysis.tsv.tmp", folder_ / "analysis.tsv");
}

}  // namespace faceid::app
