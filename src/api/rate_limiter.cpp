#include "api/rate_limiter.h"

#include <algorithm>

namespace faceid {

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit) {
    limit_.burst = std::max(1.0, limit_.burst);
}

std::optional<double> RateLimiter::acquire(const std::string& key, Clock::time_point now) {
    if (!enabled()) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto [it, inserted] = buckets_.try_emplace(key, Bucket{limit_.burst, now});
    Bucket& bucket = it->second;
    if (!inserted) {
        const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
        if (elapsed > 0) {
            bucket.tokens = std::min(limit_.burst, bucket.tokens + elapsed * limit_.per_second);
            bucket.updated = now;
        }
    }
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return std::nullopt;
    }
    return (1 - bucket.tokens) / limit_.per_second;
}

}  // namespace faceid
