// CompreFace's JSON (api/compreface_json.h): our errors as CompreFace reports the same condition, and its
// face object with only the plugins asked for.
#include "api/compreface_json.h"

#include <gtest/gtest.h>

namespace faceid::testing {
namespace {

TEST(CompreFaceJson, ErrorsMapToCompreFaceCodesAndStatuses) {
    struct Case {
        Error error;
        int status, code;
    };
    const std::vector<Case> cases = {
        {Error(ErrorCode::kNoFace), 400, 28},
        {Error(ErrorCode::kNotFound, "Subject x not found", {{"subject", "x"}}), 404, 42},
        {Error(ErrorCode::kNotFound, "Image f1 not found", {{"image_id", "f1"}}), 404, 11},
        {Error(ErrorCode::kNotFound, "No person"), 404, 0},
        {Error(ErrorCode::kUnauthorized, "", {{"key", "missing"}}), 401, 20},
        {Error(ErrorCode::kUnauthorized, "", {{"key", "unknown"}}), 401, 10},
        {Error(ErrorCode::kConflict, "", {{"field", "subject"}}), 400, 43},
        {Error(ErrorCode::kMissingField, "", {{"field", "file"}}), 400, 34},
        {Error(ErrorCode::kEmptyInput, "", {{"field", "source_image"}}), 400, 34},
        {Error(ErrorCode::kMissingField, "", {{"field", "subject"}}), 400, 33},
        {Error(ErrorCode::kMissingField, "", {{"field", "other"}}), 400, 5},
        {Error(ErrorCode::kNotAnImage), 400, 21},
        {Error(ErrorCode::kFaceMismatch), 400, 36},
        {Error(ErrorCode::kInvalidField, "", {{"field", "limit"}}), 400, 26},
        {Error(ErrorCode::kForbidden), 403, 0},
        {Error(ErrorCode::kRateLimited), 429, 0},
        {Error(ErrorCode::kInternal, "/secret/path failed"), 500, 41},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.error.info().name);
        const auto mapped = compreface_error(c.error);
        EXPECT_EQ(mapped.status, c.status);
        EXPECT_EQ(mapped.code, c.code);
        EXPECT_FALSE(mapped.message.empty());
    }
    EXPECT_EQ(compreface_error(Error(ErrorCode::kNoFace)).message, "No face is found in the given image");
    // Internals stay in the log.
    EXPECT_EQ(compreface_error(Error(ErrorCode::kInternal, "/secret/path failed")).message.find("secret"),
              std::string::npos);
    // The gate's reasons are in the message.
    const auto gate =
        compreface_error(Error(ErrorCode::kQualityGateFailed, "The photo failed the quality gates.",
                               {{"reasons", {"LOW_SHARPNESS", "SMALL_FACE"}}}));
    EXPECT_EQ(gate.code, 26);
    EXPECT_NE(gate.message.find("LOW_SHARPNESS, SMALL_FACE"), std::string::npos) << gate.message;

    HttpResponse res;
    render_compreface_error(Error(ErrorCode::kNoFace), res);
    EXPECT_EQ(res.status, 400);
    EXPECT_EQ(nlohmann::json::parse(res.body),
              (nlohmann::json{{"message", "No face is found in the given image"}, {"code", 28}}));
}

TEST(CompreFaceJson, FaceCarriesTheBoxAndOnlyThePluginsAskedFor) {
    FaceBox box{-2.4f, 10.6f, 120.5f, 140.2f, 0.987654f};
    Landmarks5 points{};
    for (int i = 0; i < 5; ++i) points[size_t(i)] = {float(10 * i) + 0.4f, float(20 * i)};
    FaceAttributes attributes{.age = 31.6, .gender = 0.2};
    Embedding embedding(kEmbeddingDim, 0.1f);

    const auto bare = compreface_face_json(box, points, attributes, &embedding, FacePlugins{});
    EXPECT_EQ(
        bare,
        (nlohmann::json{
            {"box",
             {{"probability", 0.98765}, {"x_max", 121}, {"y_max", 140}, {"x_min", 0}, {"y_min", 11}}}}));

    const auto full =
        compreface_face_json(box, points, attributes, &embedding,
                             FacePlugins{.age = true, .gender = true, .landmarks = true, .calculator = true});
    EXPECT_EQ(full["landmarks"].size(), 5u);
    EXPECT_EQ(full["landmarks"][1], (nlohmann::json{10, 20}));
    EXPECT_EQ(full["age"], (nlohmann::json{{"low", 27}, {"high", 37}}));
    EXPECT_EQ(full["gender"]["value"], "female");
    EXPECT_DOUBLE_EQ(full["gender"]["probability"].get<double>(), 0.8);
    EXPECT_EQ(full["embedding"].size(), size_t(kEmbeddingDim));
    // No attributes measured: no age or gender, whatever was asked.
    const auto unmeasured = compreface_face_json(
        box, points, std::nullopt, nullptr, FacePlugins{.age = true, .gender = true, .calculator = true});
    EXPECT_FALSE(unmeasured.contains("age"));
    EXPECT_FALSE(unmeasured.contains("embedding"));

    const auto versions = compreface_plugins_versions(FacePlugins{.age = true});
    EXPECT_TRUE(versions.contains("detector"));
    EXPECT_TRUE(versions.contains("age"));
    EXPECT_FALSE(versions.contains("calculator"));
}

}  // namespace
}  // namespace faceid::testing
