#pragma once
// Parsing JSON that came from outside (a client, a CSV file) with limits checked before any tree is built:
// - nesting: nlohmann::json copies, compares, dumps and destroys nested values recursively, so a document
//   nested tens of thousands deep would overflow the stack in whatever touches it next;
// - the number of values: each parsed value costs 16 bytes plus its container's share, so a body within the
//   upload limit could cost many times its size (a 10 MB array of zeros: ~180 MB while parsed; eight sent
//   at once took the server from 86 to 1,536 MiB).
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

namespace faceid {

// Request bodies and their fields nest far less than this; metadata has its own, lower limit.
inline constexpr int kMaxJsonDepth = 32;
// Bodies we accept hold far fewer (a batch of 64 items with small metadata: a few thousand); parsed, this
// many cost a few MB.
inline constexpr size_t kMaxJsonValues = 100'000;

// The deepest nesting of objects and arrays in `text`, and an upper bound of its values (scalars, objects
// and arrays; a key and its value count once), from its brackets and commas outside strings. Stops as soon
// as either exceeds its limit (so `depth` or `values` is then above it). Malformed text gives some shape;
// the parser refuses it afterwards anyway.
struct JsonShape {
    int depth = 0;
    size_t values = 0;
};
JsonShape json_shape(std::string_view text, int max_depth, size_t max_values);

enum class JsonParseStatus { kOk, kMalformed, kTooDeep, kTooManyValues };

struct JsonParseResult {
    JsonParseStatus status = JsonParseStatus::kMalformed;
    nlohmann::json value;  // null unless kOk
    // The limits the text was checked against (for the refusal's message).
    int max_depth = kMaxJsonDepth;
    size_t max_values = kMaxJsonValues;
};

// Refuses text nested deeper than max_depth, or holding more than max_values, without building it; then
// parses.
JsonParseResult parse_json_limited(std::string_view text, int max_depth = kMaxJsonDepth,
                                   size_t max_values = kMaxJsonValues);

// For a document refused for its shape: throws Error(kJsonTooDeep or kJsonTooLarge) that names the field
// (none: the request's JSON body) and the limit it passed. Does nothing for kOk or kMalformed (the caller
// has its own message).
void throw_if_refused_shape(const JsonParseResult& parsed, const std::string& field = {});

}  // namespace faceid
