#pragma once
// Parsing JSON that came from outside (a client, a CSV file) with a nesting limit checked before any
// tree is built: nlohmann::json copies, compares, dumps and destroys nested values recursively, so a
// document nested tens of thousands deep would overflow the stack in whatever touches it next.
#include <nlohmann/json.hpp>

#include <string_view>

namespace faceid {

// Request bodies and their fields nest far less than this; metadata has its own, lower limit.
inline constexpr int kMaxJsonDepth = 32;

// The deepest nesting of objects and arrays in `text`, counting brackets outside strings; stops counting
// (and returns a value above `limit`) as soon as `limit` is exceeded. Malformed text gives some number;
// the parser refuses it afterwards anyway.
int json_nesting_depth(std::string_view text, int limit);

enum class JsonParseStatus { kOk, kMalformed, kTooDeep };

struct JsonParseResult {
    JsonParseStatus status = JsonParseStatus::kMalformed;
    nlohmann::json value;  // null unless kOk
};

// Refuses text nested deeper than max_depth without building it, then parses.
JsonParseResult parse_json_limited(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace faceid
