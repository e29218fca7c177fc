#include "repositories/clickhouse/version_clock.h"

#include <algorithm>
#include <chrono>

namespace faceid {

uint64_t VersionClock::next(uint64_t at_least) {
    const auto now = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
    uint64_t last = last_.load();
    uint64_t version;
    do {
        version = std::max({now, last + 1, at_least});
    } while (!last_.compare_exchange_weak(last, version));
    return version;
}

void VersionClock::observe(uint64_t version) {
    uint64_t last = last_.load();
    while (version > last && !last_.compare_exchange_weak(last, version)) {
    }
}

}  // namespace faceid
