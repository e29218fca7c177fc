#pragma once
// Token buckets, one per key (an API key, or a client address for failed authentication): each request
// takes a token; tokens come back at `per_second` up to `burst`. Thread-safe. Buckets that have refilled
// are dropped when there are more than kMaxBuckets (client addresses are not few).
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
    // True when `key` has no whole token now; takes nothing (to skip work for a key already refused).
    bool exhausted(const std::string& key, Clock::time_point now = Clock::now());
    // Takes `tokens` more from an admitted request that turned out to be bigger (a batch of photos); the
    // bucket may go below zero, and the key then waits until it has refilled.
    void debit(const std::string& key, double tokens, Clock::time_point now = Clock::now());

    static constexpr size_t kMaxBuckets = 10000;

  private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    // The key's bucket, refilled up to `now`; drops refilled buckets first when there are too many.
    Bucket& bucket_for(const std::string& key, Clock::time_point now);
    RateLimit limit_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace faceid
