#pragma once
#include <cstdint>
#include <string>

namespace faceid {

int64_t now_ms();                          // milliseconds since the Unix epoch
std::string to_rfc3339(int64_t epoch_ms);  // "2026-11-26T20:23:48.123Z"
double monotonic_seconds();                // for measuring durations

}  // namespace faceid
