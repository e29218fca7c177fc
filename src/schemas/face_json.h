#pragma once
// JSON forms of the pipeline's value types, shared by the CLI and the HTTP API.
#include "core/face.h"

#include <nlohmann/json.hpp>

namespace faceid {

nlohmann::json box_to_json(const FaceBox& box);              // [x1, y1, x2, y2] rounded to 0.1 px
nlohmann::json landmarks_to_json(const Landmarks5& points);  // [[x, y] x 5]
nlohmann::json quality_to_json(const Quality& quality);      // figures + "passed" + "reasons"
nlohmann::json embedding_to_json(const Embedding& embedding);

}  // namespace faceid
