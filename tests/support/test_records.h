#pragma once
// Deterministic person and face records for the storage tests: every field is filled with a value
// derived from a seed, so that a read-back can be compared field by field.
#include "core/error.h"
#include "core/ids.h"
#include "core/records.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace faceid::testing {

// kEmbeddingDim floats from the seed, with values that a lossy encoding would change: negative zero,
// a subnormal, the smallest normal and the largest finite float, and many full-precision randoms.
inline Embedding make_embedding(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    Embedding v(kEmbeddingDim);
    for (float& x : v) x = uniform(rng);
    v[0] = -0.0f;
    v[1] = std::numeric_limits<float>::denorm_min();
    v[2] = std::numeric_limits<float>::min();
    v[3] = std::numeric_limits<float>::max();
    v[4] = std::bit_cast<float>(uint32_t(0x3f800001u));  // 1 + one ulp
    return v;
}

inline bool bit_equal(const Embedding& a, const Embedding& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

inline PersonRecord make_person(const std::string& name,
                                std::optional<std::string> external_id = std::nullopt,
                                int64_t created_at_ms = 1'700'000'000'000) {
    PersonRecord person;
    person.id = new_person_id();
    person.name = name;
    person.external_id = std::move(external_id);
    person.metadata = {{"department", "R&D"}, {"badge", 42}, {"tags", {"a", "ü", "\"quoted\""}}};
    person.created_at_ms = created_at_ms;
    person.updated_at_ms = created_at_ms;
    return person;
}

inline FaceRecord make_face(const std::string& person_id, uint64_t seed, double quality_score = 0.5,
                            int64_t created_at_ms = 1'700'000'000'000) {
    FaceRecord face;
    face.label = random_label();
    face.id = face_id_from_label(face.label);
    face.person_id = person_id;
    face.embedding = make_embedding(seed);
    face.quality = {
        {"sharpness", 123.25 + double(seed)}, {"yaw", -3.5}, {"reasons", nlohmann::json::array()}};
    face.quality_score = quality_score;
    for (size_t i = 0; i < face.box.size(); ++i) face.box[i] = float(seed % 1000) + 0.1f * float(i + 1);
    for (size_t i = 0; i < face.landmarks.size(); ++i)
        face.landmarks[i] = float(seed % 977) + 0.37f * float(i);
    face.photo_key = std::string(64, char('a' + seed % 6)) + ".jpg";
    face.crop_key = std::string(63, char('a' + seed % 6)) + "0.png";
    face.created_at_ms = created_at_ms;
    return face;
}

inline void expect_same_face(const FaceRecord& actual, const FaceRecord& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.label, expected.label);
    EXPECT_EQ(actual.person_id, expected.person_id);
    EXPECT_TRUE(bit_equal(actual.embedding, expected.embedding)) << "embedding of " << expected.id;
    EXPECT_EQ(actual.quality, expected.quality);
    EXPECT_EQ(actual.quality_score, expected.quality_score);
    EXPECT_EQ(actual.box, expected.box);
    EXPECT_EQ(actual.landmarks, expected.landmarks);
    EXPECT_EQ(actual.photo_key, expected.photo_key);
    EXPECT_EQ(actual.crop_key, expected.crop_key);
    EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
}

inline void expect_same_person(const PersonRecord& actual, const PersonRecord& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.name, expected.name);
    EXPECT_EQ(actual.external_id, expected.external_id);
    EXPECT_EQ(actual.metadata, expected.metadata);
    EXPECT_EQ(actual.created_at_ms, expected.created_at_ms);
    EXPECT_EQ(actual.updated_at_ms, expected.updated_at_ms);
}

// The code of the faceid::Error that fn throws (a failure is recorded if it throws none).
template <class Fn>
ErrorCode error_code_of(Fn&& fn) {
    try {
        fn();
    } catch (const Error& error) {
        return error.code();
    }
    ADD_FAILURE() << "expected a faceid::Error";
    return ErrorCode::kInternal;
}

}  // namespace faceid::testing
