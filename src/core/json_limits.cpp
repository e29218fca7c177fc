#include "core/json_limits.h"

#include "core/error.h"

namespace faceid {

JsonShape json_shape(std::string_view text, int max_depth, size_t max_values) {
    JsonShape shape;
    shape.values = 1;  // the document itself; then one per element after a comma and per container's first
    int depth = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                break;
            case '{':
            case '[':
                if (++depth > shape.depth) shape.depth = depth;
                if (shape.depth > max_depth || ++shape.values > max_values) return shape;
                break;
            case '}':
            case ']':
                if (depth > 0) --depth;
                break;
            case ',':
                if (++shape.values > max_values) return shape;
                break;
            default:
                break;
        }
    }
    return shape;
}

JsonParseResult parse_json_limited(std::string_view text, int max_depth, size_t max_values) {
    JsonParseResult result;
    result.max_depth = max_depth;
    result.max_values = max_values;
    const JsonShape shape = json_shape(text, max_depth, max_values);
    if (shape.depth > max_depth) {
        result.status = JsonParseStatus::kTooDeep;
        return result;
    }
    if (shape.values > max_values) {
        result.status = JsonParseStatus::kTooManyValues;
        return result;
    }
    auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return result;
    result.status = JsonParseStatus::kOk;
    result.value = std::move(value);
    return result;
}

void throw_if_refused_shape(const JsonParseResult& parsed, const std::string& field) {
    if (parsed.status != JsonParseStatus::kTooDeep && parsed.status != JsonParseStatus::kTooManyValues)
        return;
    const std::string what = field.empty() ? "The JSON body" : field;
    nlohmann::json details = nlohmann::json::object();
    if (!field.empty()) details["field"] = field;
    if (parsed.status == JsonParseStatus::kTooDeep) {
        details["max_depth"] = parsed.max_depth;
        throw Error(ErrorCode::kJsonTooDeep,
                    what + " is nested deeper than " + std::to_string(parsed.max_depth) + " levels.",
                    details);
    }
    details["max_values"] = parsed.max_values;
    throw Error(ErrorCode::kJsonTooLarge,
                what + " holds more than " + std::to_string(parsed.max_values) + " values.", details);
}

}  // namespace faceid
