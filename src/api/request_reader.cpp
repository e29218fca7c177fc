#include "api/request_reader.h"

#include "api/base64.h"
#include "core/error.h"
#include "core/json_limits.h"
#include "core/utf8.h"

#include <cmath>
#include <cstdint>

namespace faceid {
namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
    throw Error(ErrorCode::kInvalidField, message, {{"field", field}});
}

std::string trim(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Metadata objects nest at most this deep (the request around them at most kMaxJsonDepth).
constexpr int kMaxMetadataDepth = 8;

// Only called on values parsed with a depth limit, so the recursion is bounded.
int json_depth(const nlohmann::json& value) {
    if (!value.is_structured()) return 0;
    int deepest = 0;
    for (const auto& item : value) deepest = std::max(deepest, json_depth(item));
    return deepest + 1;
}

// The request behind a reader of a plain JSON object: never consulted, since such a reader is in JSON mode.
const HttpRequest& empty_request() {
    static const HttpRequest request;
    return request;
}

}  // namespace

RequestReader::RequestReader(const HttpRequest& request) : request_(request) {
    const std::string type = request.header("Content-Type");
    if (request.multipart) return;
    if (type.starts_with("application/json")) {
        json_ = true;
        auto parsed = parse_json_limited(request.body);
        throw_if_refused_shape(parsed);
        if (parsed.status != JsonParseStatus::kOk)
            throw Error(ErrorCode::kBadRequest, "The JSON body is malformed.");
        body_ = std::move(parsed.value);
        if (!body_.is_object()) throw Error(ErrorCode::kBadRequest, "The JSON body must be an object.");
        return;
    }
    throw Error(ErrorCode::kUnsupportedMediaType, "", {{"content_type", type.substr(0, 100)}});
}

RequestReader::RequestReader(nlohmann::json object)
    : request_(empty_request()), json_(true), body_(std::move(object)) {
    if (!body_.is_object()) throw Error(ErrorCode::kBadRequest, "Each batch item must be a JSON object.");
}

bool RequestReader::has(const std::string& name) const {
    return json_ ? body_.contains(name) && !body_[name].is_null() : request_.has_part(name);
}

std::optional<std::string> RequestReader::text(const std::string& name, size_t max_length) const {
    std::string value;
    if (json_) {
        if (!body_.contains(name) || body_[name].is_null()) return std::nullopt;
        if (body_[name].is_string())
            value = body_[name].get<std::string>();
        else if (body_[name].is_number() || body_[name].is_boolean())
            value = body_[name].dump();
        else
            invalid(name, name + " must be a string.");
    } else {
        if (!request_.has_part(name)) return std::nullopt;
        value = request_.part(name)->content;
    }
    value = trim(std::move(value));
    if (value.size() > max_length)
        invalid(name, name + " is longer than " + std::to_string(max_length) + " bytes.");
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7F) invalid(name, name + " contains control characters.");
    if (!is_valid_utf8(value)) invalid(name, name + " is not valid UTF-8.");
    return value;
}

std::string RequestReader::required_text(const std::string& name, size_t max_length) const {
    auto value = text(name, max_length);
    if (!value || value->empty())
        throw Error(ErrorCode::kMissingField, name + " is required.", {{"field", name}});
    return *value;
}

std::optional<int> RequestReader::integer(const std::string& name, int min, int max) const {
    auto value = text(name, 20);
    if (!value || value->empty()) return std::nullopt;
    size_t used = 0;
    long long parsed = 0;
    try {
        parsed = std::stoll(*value, &used);
    } catch (const std::exception&) {
        invalid(name, name + " must be a whole number.");
    }
    if (used != value->size()) invalid(name, name + " must be a whole number.");
    if (parsed < min || parsed > max)
        invalid(name, name + " must be between " + std::to_string(min) + " and " + std::to_string(max) + ".");
    return int(parsed);
}

std::optional<double> RequestReader::number(const std::string& name, double min, double max) const {
    auto value = text(name, 40);
    if (!value || value->empty()) return std::nullopt;
    size_t used = 0;
    double parsed = 0;
    try {
        parsed = std::stod(*value, &used);
    } catch (const std::exception&) {
        invalid(name, name + " must be a number.");
    }
    if (used != value->size() || !std::isfinite(parsed)) invalid(name, name + " must be a number.");
    if (parsed < min || parsed > max) invalid(name, name + " is out of range.");
    return parsed;
}

bool RequestReader::boolean(const std::string& name, bool fallback) const {
    auto value = text(name, 10);
    if (!value || value->empty()) return fallback;
    if (*value == "true" || *value == "1" || *value == "yes") return true;
    if (*value == "false" || *value == "0" || *value == "no") return false;
    invalid(name, name + " must be true or false.");
}

std::optional<nlohmann::json> RequestReader::object(const std::string& name, size_t max_bytes) const {
    nlohmann::json value;
    if (json_ && body_.contains(name) && body_[name].is_object()) {
        value = body_[name];
    } else {
        std::string raw;
        if (json_) {
            if (!body_.contains(name) || body_[name].is_null()) return std::nullopt;
            if (!body_[name].is_string()) invalid(name, name + " must be a JSON object.");
            raw = body_[name].get<std::string>();
        } else {
            if (!request_.has_part(name)) return std::nullopt;
            raw = request_.part(name)->content;
        }
        if (trim(raw).empty()) return std::nullopt;
        auto parsed = parse_json_limited(raw, kMaxMetadataDepth);
        throw_if_refused_shape(parsed, name);
        value = std::move(parsed.value);
        if (parsed.status != JsonParseStatus::kOk || !value.is_object())
            invalid(name, name + " must be a JSON object.");
    }
    if (value.dump().size() > max_bytes)
        invalid(name, name + " is larger than " + std::to_string(max_bytes) + " bytes.");
    if (json_depth(value) > kMaxMetadataDepth)
        throw Error(ErrorCode::kJsonTooDeep, name + " is nested too deeply.",
                    {{"field", name}, {"max_depth", kMaxMetadataDepth}});
    return value;
}

std::optional<std::string> RequestReader::photo(const std::string& name) const {
    if (json_) {
        if (!body_.contains(name) || body_[name].is_null()) return std::nullopt;
        if (!body_[name].is_string()) invalid(name, name + " must be a base64 string.");
        auto bytes = base64_decode(body_[name].get_ref<const std::string&>());
        if (!bytes) invalid(name, name + " is not valid base64.");
        return bytes;
    }
    if (!request_.has_part(name)) return std::nullopt;
    return request_.part(name)->content;
}

std::string RequestReader::required_photo(const std::string& name) const {
    auto bytes = photo(name);
    if (!bytes) throw Error(ErrorCode::kMissingField, name + " is required.", {{"field", name}});
    if (bytes->empty()) throw Error(ErrorCode::kEmptyInput, "", {{"field", name}});
    return *bytes;
}

}  // namespace faceid
