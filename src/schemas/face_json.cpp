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
    nlohmann::json out = {
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
    if (q.liveness) out["liveness"] = round_to(*q.liveness, 0.001);
    return out;
}

nlohmann::json embedding_to_json(const Embedding& embedding) {
    auto out = nlohmann::json::array();
    for (float v : embedding) out.push_back(v);
    return out;
}

nlohmann::json liveness_to_json(const LivenessScore& liveness, double threshold) {
    auto probabilities = nlohmann::json::array();
    for (float p : liveness.probabilities) probabilities.push_back(round_to(p, 0.001));
    return {{"score", round_to(liveness.live, 0.001)},
            {"live", liveness.live >= threshold},
            {"threshold", threshold},
            {"probabilities", probabilities}};
}

nlohmann::json attributes_to_json(const FaceAttributes& a) {
    return {{"age", round_to(a.age, 0.1)},
            {"gender", a.gender >= 0.5 ? "male" : "female"},
            {"gender_score", round_to(a.gender, 0.001)},
            {"eyes_open", a.left_eye_open >= 0.5 && a.right_eye_open >= 0.5},
            {"left_eye_open", round_to(a.left_eye_open, 0.001)},
            {"right_eye_open", round_to(a.right_eye_open, 0.001)}};
}

}  // namespace faceid
