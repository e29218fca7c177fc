#include "api/rate_limiter.h"

#include <algorithm>

namespace faceid {

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit) {
    limit_.burst = std::max(1.0, limit_.burst);
}

RateLimiter::Bucket& RateLimiter::bucket_for(const std::string& key, Clock::time_point now) {
    if (buckets_.size() >= kMaxBuckets && !buckets_.contains(key)) {
        std::erase_if(buckets_, [&](const auto& entry) {
            const double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
            return entry.second.tokens + elapsed * limit_.per_second >= limit_.burst;
        });
        if (buckets_.size() >= kMaxBuckets) buckets_.clear();  // every bucket busy: start afresh
    }
    auto [it, inserted] = buckets_.try_emplace(key, Bucket{limit_.burst, now});
    Bucket& bucket = it->second;
    if (!inserted) {
        const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
        if (elapsed > 0) {
            bucket.tokens = std::min(limit_.burst, bucket.tokens + elapsed * limit_.per_second);
            bucket.updated = now;
        }
    }
    return bucket;
}

std::optional<double> RateLimiter::acquire(const std::string& key, Clock::time_point now) {
    if (!enabled()) return std::nullopt;
    std::lock_guard lock(mutex_);
    Bucket& bucket = bucket_for(key, now);
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return std::nullopt;
    }
    return (1 - bucket.tokens) / limit_.per_second;
}

bool RateLimiter::exhausted(const std::string& key, Clock::time_point now) {
    if (!enabled()) return false;
    std::lock_guard lock(mutex_);
    return bucket_for(key, now).tokens < 1;
}

void RateLimiter::debit(const std::string& key, double tokens, Clock::time_point now) {
    if (!enabled() || tokens <= 0) return;
    std::lock_guard lock(mutex_);
    bucket_for(key, now).tokens -= tokens;
}

}  // namespace faceid
