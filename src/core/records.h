#pragma once
// What storage keeps about persons and their face templates. Plain data; repositories persist it.
#include "core/face.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct PersonRecord {
    std::string id;
    std::string name;
    std::optional<std::string> external_id;  // unique when present
    nlohmann::json metadata = nlohmann::json::object();
    std::optional<std::string> primary_face_id;
    int64_t created_at_ms = 0;
    int64_t updated_at_ms = 0;
    int64_t face_count = 0;  // filled by reads; ignored on writes
    // When a search last matched this person (for the retention policy); filled by reads, written only
    // through MatchLog::record_matches.
    std::optional<int64_t> last_matched_at_ms;
};

struct FaceRecord {
    std::string id;      // face_id_from_label(label)
    uint64_t label = 0;  // key in the vector index
    std::string person_id;
    Embedding embedding;                                // kEmbeddingDim floats, L2-normalised
    nlohmann::json quality = nlohmann::json::object();  // the Quality figures as JSON
    double quality_score = 0;                           // Quality::score, for choosing the primary
    std::array<float, 4> box{};                         // x1, y1, x2, y2 in the photo
    std::array<float, 10> landmarks{};                  // five (x, y) points in the photo
    std::string photo_key;  // content address of the whole photo in the PhotoStore
    std::string crop_key;   // content address of the face crop in the PhotoStore
    int64_t created_at_ms = 0;
};

}  // namespace faceid
