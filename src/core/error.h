#pragma once
// Every error the product can report, in one table (code name, HTTP status, default message), and the
// exception that carries one across layers. The API maps it to {"error": {"code", "message", "details"}}.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace faceid {

enum class ErrorCode {
    kBadRequest,
    kJsonTooDeep,
    kJsonTooLarge,
    kInvalidField,
    kMissingField,
    kEmptyInput,
    kNotAnImage,
    kCorruptImage,
    kImageTooLarge,
    kImageTooComplex,
    kTimeBudgetExceeded,
    kUnsupportedFormat,
    kUnsupportedMediaType,
    kPayloadTooLarge,
    kNoFace,
    kFaceIndexOutOfRange,
    kQualityGateFailed,
    kOrientationUnclear,
    kNotLive,
    kNotFound,
    kConflict,
    kPossibleDuplicate,
    kFaceMismatch,
    kUnauthorized,
    kForbidden,
    kThresholdBelowFloor,
    kRateLimited,
    kModelMissing,
    kStorageError,
    kInsufficientStorage,
    kStorageUnavailable,
    kUnavailable,
    kInternal,
};

struct ErrorInfo {
    ErrorCode code;
    std::string_view name;  // stable machine-readable code, e.g. "no_face"
    int http_status;
    std::string_view message;  // default human-readable message
};

const ErrorInfo& error_info(ErrorCode code);

class Error : public std::runtime_error {
  public:
    explicit Error(ErrorCode code, std::string message = {},
                   nlohmann::json details = nlohmann::json::object());

    ErrorCode code() const noexcept { return code_; }
    const ErrorInfo& info() const noexcept { return error_info(code_); }
    const nlohmann::json& details() const noexcept { return details_; }

  private:
    ErrorCode code_;
    nlohmann::json details_;
};

}  // namespace faceid
