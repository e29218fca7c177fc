#include "core/error.h"

#include <array>

namespace faceid {
namespace {

constexpr std::array kErrorTable = {
    ErrorInfo{ErrorCode::kBadRequest, "bad_request", 400, "The request is malformed."},
    ErrorInfo{ErrorCode::kJsonTooDeep, "json_too_deep", 400, "The JSON is nested too deeply."},
    ErrorInfo{ErrorCode::kJsonTooLarge, "json_too_large", 413, "The JSON holds too many values."},
    ErrorInfo{ErrorCode::kInvalidField, "invalid_field", 400, "A field has an invalid value."},
    ErrorInfo{ErrorCode::kMissingField, "missing_field", 400, "A required field is missing."},
    ErrorInfo{ErrorCode::kEmptyInput, "empty_image", 400, "The photo is empty."},
    ErrorInfo{ErrorCode::kNotAnImage, "not_an_image", 415, "The upload is not an image."},
    ErrorInfo{ErrorCode::kCorruptImage, "corrupt_image", 400, "The image is truncated or corrupt."},
    ErrorInfo{ErrorCode::kImageTooLarge, "image_too_large", 413, "The image has too many pixels."},
    ErrorInfo{ErrorCode::kImageTooComplex, "image_too_complex", 413,
              "The image would take too long to decode."},
    // 422, not 503: the same photo would exceed the budget again, so a retry (or a balancer retrying on
    // another replica) only burns more time; not 408, which says the client was slow to send.
    ErrorInfo{ErrorCode::kTimeBudgetExceeded, "time_budget_exceeded", 422,
              "The photo took longer to process than the time budget allows."},
    ErrorInfo{ErrorCode::kUnsupportedFormat, "unsupported_format", 415,
              "This image format is not supported; use JPEG, PNG, WebP or BMP."},
    ErrorInfo{ErrorCode::kUnsupportedMediaType, "unsupported_media_type", 415,
              "Send multipart/form-data or application/json."},
    ErrorInfo{ErrorCode::kPayloadTooLarge, "payload_too_large", 413, "The upload is larger than allowed."},
    ErrorInfo{ErrorCode::kNoFace, "no_face", 422, "No face was found in the photo."},
    ErrorInfo{ErrorCode::kFaceIndexOutOfRange, "face_index_out_of_range", 422,
              "face_index is larger than the number of faces found."},
    ErrorInfo{ErrorCode::kQualityGateFailed, "quality_gate_failed", 422,
              "The face does not meet the quality requirements."},
    ErrorInfo{ErrorCode::kOrientationUnclear, "orientation_unclear", 422,
              "The face is only found when the photo is turned, and which way is up is unclear: turn the "
              "photo upright and send it again."},
    ErrorInfo{ErrorCode::kNotLive, "not_live", 422, "The face does not look like a live person."},
    ErrorInfo{ErrorCode::kNotFound, "not_found", 404, "Not found."},
    ErrorInfo{ErrorCode::kConflict, "conflict", 409, "The request conflicts with stored data."},
    ErrorInfo{ErrorCode::kPossibleDuplicate, "possible_duplicate", 409,
              "This face already belongs to another person."},
    ErrorInfo{ErrorCode::kFaceMismatch, "face_mismatch", 409,
              "The face does not match the person it is added to."},
    ErrorInfo{ErrorCode::kUnauthorized, "unauthorized", 401, "An API key is required."},
    ErrorInfo{ErrorCode::kForbidden, "forbidden", 403, "This API key's role may not do this."},
    ErrorInfo{ErrorCode::kThresholdBelowFloor, "threshold_below_floor", 403,
              "Only an admin key may ask for a threshold below the configured floor."},
    ErrorInfo{ErrorCode::kRateLimited, "rate_limited", 429, "Too many requests; retry later."},
    ErrorInfo{ErrorCode::kModelMissing, "model_missing", 500, "A face model is missing or altered."},
    ErrorInfo{ErrorCode::kStorageError, "storage_error", 500, "Storage failed."},
    ErrorInfo{ErrorCode::kInsufficientStorage, "insufficient_storage", 507,
              "The server's storage is full; nothing was stored."},
    ErrorInfo{ErrorCode::kStorageUnavailable, "storage_unavailable", 503,
              "The photo store does not answer; nothing was changed. Retry later."},
    ErrorInfo{ErrorCode::kUnavailable, "unavailable", 503, "The service is not ready."},
    ErrorInfo{ErrorCode::kInternal, "internal", 500, "Internal error."},
};

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
    for (const auto& info : kErrorTable)
        if (info.code == code) return info;
    return kErrorTable.back();
}

Error::Error(ErrorCode code, std::string message, nlohmann::json details)
    : std::runtime_error(message.empty() ? std::string(error_info(code).message) : std::move(message)),
      code_(code),
      details_(std::move(details)) {}

}  // namespace faceid
