#include "api/compreface_json.h"

#include <algorithm>
#include <cmath>

namespace faceid {
namespace {

// CompreFace's codes (CommonExceptionCode).
constexpr int kUndefined = 0;
constexpr int kEmptyRequiredField = 5;
constexpr int kApiKeyNotFound = 10;  // MODEL_NOT_FOUND: "... service with API Key ... not found"
constexpr int kImageNotFound = 11;
constexpr int kMissingRequestHeader = 20;
constexpr int kUnavailableFileExtension = 21;
constexpr int kValidationConstraintViolation = 26;
constexpr int kNoFacesFound = 28;
constexpr int kMissingRequestParameter = 33;
constexpr int kMissingRequestPart = 34;
constexpr int kIncorrectArgument = 36;
constexpr int kFacesServiceException = 41;
constexpr int kSubjectNotFound = 42;
constexpr int kSubjectAlreadyExists = 43;

std::string detail(const Error& error, const char* name) {
    const auto& details = error.details();
    if (!details.is_object() || !details.contains(name) || !details[name].is_string()) return {};
    return details[name].get<std::string>();
}

}  // namespace

double compreface_number(double value) {
    return std::round(value * 100000) / 100000;
}

CompreFaceError compreface_error(const Error& error) {
    const auto& info = error.info();
    const std::string message = error.what();
    switch (error.code()) {
        case ErrorCode::kNoFace:
            return {400, kNoFacesFound, "No face is found in the given image"};
        case ErrorCode::kNotFound:
            if (!detail(error, "subject").empty()) return {404, kSubjectNotFound, message};
            if (!detail(error, "image_id").empty()) return {404, kImageNotFound, message};
            return {404, kUndefined, message};
        case ErrorCode::kUnauthorized:
            // 401 rather than CompreFace's 400 / 404, so that HTTP tooling sees an authentication failure.
            if (detail(error, "key") == "missing")
                return {401, kMissingRequestHeader, "Missing header: x-api-key"};
            return {401, kApiKeyNotFound, "Recognition service with this API Key not found"};
        case ErrorCode::kConflict:
            if (detail(error, "field") == "subject")
                return {400, kSubjectAlreadyExists, "Subject already exists"};
            return {409, kUndefined, message};
        case ErrorCode::kMissingField:
        case ErrorCode::kEmptyInput: {
            const std::string field = detail(error, "field");
            if (field == "file" || field == "source_image" || field == "target_image")
                return {400, kMissingRequestPart, "Required request part '" + field + "' is not present"};
            if (field == "subject")
                return {400, kMissingRequestParameter, "Required request parameter 'subject' is not present"};
            return {400, kEmptyRequiredField, message};
        }
        case ErrorCode::kNotAnImage:
        case ErrorCode::kCorruptImage:
        case ErrorCode::kUnsupportedFormat:
            return {400, kUnavailableFileExtension, message};
        case ErrorCode::kFaceMismatch:
            // An example that does not match the subject it is added to (our rule; CompreFace has none).
            return {400, kIncorrectArgument, message};
        case ErrorCode::kQualityGateFailed: {
            std::string text = message;
            const auto& details = error.details();
            if (details.is_object() && details.contains("reasons") && details["reasons"].is_array()) {
                std::string reasons;
                for (const auto& r : details["reasons"])
                    if (r.is_string()) reasons += (reasons.empty() ? "" : ", ") + r.get<std::string>();
                if (!reasons.empty()) text += " (" + reasons + ")";
            }
            return {400, kValidationConstraintViolation, text};
        }
        case ErrorCode::kBadRequest:
        case ErrorCode::kJsonTooDeep:
        case ErrorCode::kInvalidField:
        case ErrorCode::kFaceIndexOutOfRange:
        case ErrorCode::kThresholdBelowFloor:
            return {400, kValidationConstraintViolation, message};
        default:
            break;
    }
    if (info.http_status >= 500)  // internals stay in the log
        return {info.http_status, info.http_status == 500 ? kFacesServiceException : kUndefined,
                std::string(info.message)};
    return {info.http_status, kUndefined, message};
}

void render_compreface_error(const Error& error, HttpResponse& res) {
    const auto mapped = compreface_error(error);
    res.status = mapped.status;
    res.set_content(nlohmann::json{{"message", mapped.message}, {"code", mapped.code}}.dump(
                        -1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
}

nlohmann::json compreface_face_json(const FaceBox& box, const Landmarks5& points,
                                    const std::optional<FaceAttributes>& attributes,
                                    const Embedding* embedding, const FacePlugins& plugins) {
    nlohmann::json face = {{"box",
                            {{"probability", compreface_number(box.score)},
                             {"x_max", int(std::lround(box.x2))},
                             {"y_max", int(std::lround(box.y2))},
                             {"x_min", int(std::lround(std::max(0.0f, box.x1)))},
                             {"y_min", int(std::lround(std::max(0.0f, box.y1)))}}}};
    if (plugins.landmarks) {
        auto marks = nlohmann::json::array();
        for (const auto& p : points) marks.push_back({int(std::lround(p.x)), int(std::lround(p.y))});
        face["landmarks"] = marks;
    }
    if (attributes && plugins.age) {
        // Our age model gives one estimate in years; CompreFace gives a range with its probability. The range
        // is the estimate +-5 years, without a probability (we have none).
        const int years = int(std::lround(attributes->age));
        face["age"] = {{"low", std::max(0, years - 5)}, {"high", years + 5}};
    }
    if (attributes && plugins.gender) {
        const bool male = attributes->gender >= 0.5;
        face["gender"] = {
            {"probability", compreface_number(male ? attributes->gender : 1 - attributes->gender)},
            {"value", male ? "male" : "female"}};
    }
    if (embedding && plugins.calculator) face["embedding"] = *embedding;
    return face;
}

nlohmann::json compreface_plugins_versions(const FacePlugins& plugins) {
    nlohmann::json versions = {{"detector", "faceid.UltraLightRFB320"}};
    if (plugins.calculator) versions["calculator"] = "faceid.fr_feature";
    if (plugins.age) versions["age"] = "faceid.fr_age";
    if (plugins.gender) versions["gender"] = "faceid.fr_gender";
    if (plugins.landmarks) versions["landmarks"] = "faceid.fr_landmark";
    return versions;
}

}  // namespace faceid
