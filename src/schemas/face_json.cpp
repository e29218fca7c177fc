#include "schemas/face_json.h"

#include <cmath>

namespace faceid {
namespace {
// Rounds to `step` (0.1, 0.001...) by dividing by its inverse, so the printed JSON number is short.
double round_to(double value, double step) {
    const double inverse = std::round(1.0 / step);
    return std::round(value * inverse) / inverse;
}
}  // namespace

nlohmann::json box_to_json(const FaceBox& box) {
    return {round_to(box.x1, 0.1), round_to(box.y1, 0.1), round_to(box.x2, 0.1), round_to(box.y2, 0.1)};
}

nlohmann::json landmarks_to_json(const Landmarks5& points) {
    auto out = nlohmann::json::array();
    for (const auto& p : points) out.push_back({round_to(p.x, 0.1), round_to(p.y, 0.1)});
    return out;
}

nlohmann::json quality_to_json(const Quality& q) {
    return {
        {"score", round_to(q.score, 0.001)},
        {"sharpness", round_to(q.sharpness, 0.1)},
        {"detection_score", round_to(q.detection_score, 0.001)},
        {"face_width_px", round_to(q.face_width_px, 0.1)},
        {"face_height_px", round_to(q.face_height_px, 0.1)},
        {"inter_eye_px", round_to(q.inter_eye_px, 0.1)},
        {"yaw", round_to(q.yaw, 0.1)},
        {"pitch", round_to(q.pitch, 0.1)},
        {"roll", round_to(q.roll, 0.1)},
        {"brightness", round_to(q.brightness, 0.1)},
        {"overexposed", round_to(q.overexposed, 0.001)},
        {"passed", q.passed()},
        {"reasons", q.reasons},
    };
}

nlohmann::json embedding_to_json(const Embedding& embedding) {
    auto out = nlohmann::json::array();
    for (float v : embedding) out.push_back(v);
    return out;
}

}  // namespace faceid
