#include "synthetic_records.h"

#include "core/clock.h"
#include "core/ids.h"

namespace faceid::bench {

PersonRecord synthetic_person(int64_t index) {
    PersonRecord person;
    person.id = new_person_id();
    person.name = "Bench person " + std::to_string(index);
    person.external_id = "bench-" + std::to_string(index);
    person.metadata = {{"department", "bench"}, {"index", index}};
    person.created_at_ms = 1'700'000'000'000 + index;
    return person;
}

FaceRecord synthetic_face(const std::string& person_id, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    FaceRecord face;
    face.label = random_label();
    face.person_id = person_id;
    face.embedding.resize(kEmbeddingDim);
    for (float& x : face.embedding) x = normal(rng);
    l2_normalize(face.embedding);
    face.quality = {{"sharpness", 250.5},   {"detection_score", 0.98},
                    {"face_width_px", 180}, {"face_height_px", 220},
                    {"yaw", 4.5},           {"pitch", -2.0},
                    {"roll", 1.0},          {"brightness", 120},
                    {"score", 0.87},        {"reasons", nlohmann::json::array()}};
    face.quality_score = 0.87;
    face.box = {100, 120, 280, 340};
    face.landmarks = {150, 200, 230, 200, 190, 250, 160, 300, 220, 300};
    face.photo_key = std::string(64, 'a') + ".jpg";
    face.crop_key = std::string(64, 'b') + ".png";
    face.created_at_ms = now_ms();
    return face;
}

}  // namespace faceid::bench
