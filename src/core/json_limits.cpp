#include "core/json_limits.h"

namespace faceid {

int json_nesting_depth(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
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
                if (++depth > deepest) deepest = depth;
                if (deepest > limit) return deepest;
                break;
            case '}':
            case ']':
                if (depth > 0) --depth;
                break;
            default:
                break;
        }
    }
    return deepest;
}

JsonParseResult parse_json_limited(std::string_view text, int max_depth) {
    JsonParseResult result;
    if (json_nesting_depth(text, max_depth) > max_depth) {
        result.status = JsonParseStatus::kTooDeep;
        return result;
    }
    auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return result;
    result.status = JsonParseStatus::kOk;
    result.value = std::move(value);
    return result;
}

}  // namespace faceid
