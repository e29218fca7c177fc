#pragma once
// JSON forms of the pipeline's value types, shared by the CLI and the HTTP API.
#include "core/face.h"
#include "vision/face_attributes.h"
#include "vision/liveness.h"

#include <nlohmann/json.hpp>

namespace faceid {

nlohmann::json box_to_json(const FaceBox& box);              // [x1, y1, x2, y2] rounded to 0.1 px
nlohmann::json landmarks_to_json(const Landmarks5& points);  // [[x, y] x 5]
nlohmann::json quality_to_json(const Quality& quality);      // figures + "passed" + "reasons"
nlohmann::json embedding_to_json(const Embedding& embedding);
// {"score": live probability, "live": score >= threshold, "probabilities": [3 classes]}
nlohmann::json liveness_to_json(const LivenessScore& liveness, double threshold);
// {"age", "gender": "male"|"female", "gender_score", "eyes_open", "left_eye_open", "right_eye_open"}
nlohmann::json attributes_to_json(const FaceAttributes& attributes);

}  // namespace faceid
