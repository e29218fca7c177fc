#pragma once
// Token buckets, one per API key: each request takes a token; tokens come back at `per_second` up to
// `burst`. Thread-safe. Keys are few (one bucket per issued key), so buckets are never evicted.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace faceid {

struct RateLimit {
    double per_second = 0;  // 0 switches limiting off
    double burst = 0;       // bucket size; at least 1
};

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    explicit RateLimiter(RateLimit limit);

    bool enabled() const { return limit_.per_second > 0; }
    // nullopt when the request may go ahead; otherwise the seconds until a token is available.
    std::optional<double> acquire(const std::string& key, Clock::time_point now = Clock::now());

  private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    RateLimit limit_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace faceid
