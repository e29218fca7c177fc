#include "core/case_fold.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/face.h"
#include "core/ids.h"
#include "core/json_limits.h"
#include "core/sha256.h"
#include "core/utf8.h"

#include <gtest/gtest.h>

#include <set>

namespace faceid {

TEST(Utf8, ChecksWellFormednessAndReadsLatin1) {
    EXPECT_TRUE(is_valid_utf8("Zo\xC3\xAB and \xE2\x82\xAC"));
    EXPECT_FALSE(is_valid_utf8("Zo\xEB"));        // Latin-1
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // a surrogate
    EXPECT_EQ(latin1_to_utf8("Zo\xEB p04"), "Zo\xC3\xAB p04");
    EXPECT_EQ(latin1_to_utf8("plain"), "plain");
}

TEST(Ids, FaceIdRoundTripsThroughLabel) {
    for (int i = 0; i < 100; ++i) {
        uint64_t label = random_label();
        ASSERT_NE(label, 0u);
        ASSERT_LT(label, 1ULL << 63);
        auto id = face_id_from_label(label);
        EXPECT_TRUE(is_well_formed_id(id, 'f'));
        EXPECT_EQ(label_from_face_id(id), label);
    }
}

TEST(Ids, RejectsMalformedIds) {
    EXPECT_FALSE(label_from_face_id(""));
    EXPECT_FALSE(label_from_face_id("f0000000000000000"));  // zero is never a label
    EXPECT_FALSE(label_from_face_id("fffffffffffffffff"));  // above 2^63-1
    EXPECT_FALSE(label_from_face_id("p0123456789abcdef"));
    EXPECT_FALSE(label_from_face_id("f0123456789ABCDEF"));
    EXPECT_FALSE(label_from_face_id("f../../etc/passwd"));
    EXPECT_FALSE(is_well_formed_id("p0123", 'p'));
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(new_person_id());
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(CaseFold, LowersEveryScriptAndKeepsInvalidBytes) {
    EXPECT_EQ(fold_case("Anna SMITH 100%"), "anna smith 100%");
    EXPECT_EQ(fold_case("José ÁLVAREZ"), "josé álvarez");
    EXPECT_EQ(fold_case("ДМИТРИЙ Ω"), "дмитрий ω");
    EXPECT_EQ(fold_case("😀 already lower"), "😀 already lower");
    // Not UTF-8 (a lone continuation byte, a truncated sequence, an overlong '/'): kept byte for byte.
    EXPECT_EQ(fold_case("A\x80"
                        "B\xC3"),
              "a\x80"
              "b\xC3");
    EXPECT_EQ(fold_case("\xC0\xAF"), "\xC0\xAF");
    EXPECT_EQ(fold_case(""), "");
}

TEST(Clock, FormatsRfc3339Utc) {
    EXPECT_EQ(to_rfc3339(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(to_rfc3339(1795724628123), "2026-11-26T20:23:48.123Z");
}

TEST(Sha256, MatchesKnownDigest) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Depth and values are counted outside strings, and refused before anything is built.
TEST(JsonLimits, RefusesDeepOrManyValuedDocumentsBeforeParsing) {
    EXPECT_EQ(json_shape(R"({"a":[1,2,{"b":"[,{"}]})", 32, 100).depth, 3);
    EXPECT_EQ(json_shape(R"({"a":[1,2,{"b":"[,{"}]})", 32, 100).values, 6u)
        << "object, array, 1, 2, object, b";
    EXPECT_EQ(json_shape(R"(["a\"b,c",1])", 32, 100).values, 3u)
        << "an escaped quote does not end the string";

    std::string many = "[0";
    for (int i = 0; i < 200; ++i) many += ",0";
    many += "]";
    EXPECT_EQ(parse_json_limited(many, 32, 500).status, JsonParseStatus::kOk);
    EXPECT_EQ(parse_json_limited(many, 32, 100).status, JsonParseStatus::kTooManyValues);
    EXPECT_EQ(parse_json_limited(std::string(40, '[') + std::string(40, ']'), 32, 100).status,
              JsonParseStatus::kTooDeep);
    EXPECT_EQ(parse_json_limited("[1,", 32, 100).status, JsonParseStatus::kMalformed);

    const auto too_many = parse_json_limited(many, 32, 100);
    try {
        throw_if_refused_shape(too_many, "metadata");
        FAIL() << "a refused shape throws";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kJsonTooLarge);
        EXPECT_EQ(e.details()["field"], "metadata");
        EXPECT_EQ(e.details()["max_values"], 100);
    }
    EXPECT_NO_THROW(throw_if_refused_shape(parse_json_limited("[1,", 32, 100), "metadata"));
}

TEST(Errors, TableGivesNamesAndStatuses) {
    EXPECT_EQ(error_info(ErrorCode::kNoFace).name, "no_face");
    EXPECT_EQ(error_info(ErrorCode::kNoFace).http_status, 422);
    EXPECT_EQ(error_info(ErrorCode::kPayloadTooLarge).http_status, 413);
    Error e(ErrorCode::kNotFound, "", {{"id", "x"}});
    EXPECT_STREQ(e.what(), "Not found.");
    EXPECT_EQ(e.details()["id"], "x");
}

TEST(Similarity, CosineOfNormalisedVectors) {
    std::vector<float> a{3, 4}, b{4, 3};
    l2_normalize(a);
    l2_normalize(b);
    EXPECT_NEAR(a[0], 0.6f, 1e-6);
    EXPECT_NEAR(cosine_similarity(a, b), 24.0f / 25.0f, 1e-6);
    EXPECT_NEAR(dot(a.data(), a.data(), 2), 1.0f, 1e-6);
}

}  // namespace faceid
