#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace faceid {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, TokenBucketPerKeyRefillsAtTheConfiguredRate) {
    RateLimiter limiter(RateLimit{2, 3});  // 2 per second, bursts of 3
    const auto t0 = RateLimiter::Clock::time_point{} + 100s;
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.acquire("a", t0)) << i;
    auto wait = limiter.acquire("a", t0);
    ASSERT_TRUE(wait);
    EXPECT_NEAR(*wait, 0.5, 1e-9);           // one token comes back after 1/2 s
    EXPECT_FALSE(limiter.acquire("b", t0));  // another key, its own bucket
    EXPECT_TRUE(limiter.acquire("a", t0 + 400ms));
    EXPECT_FALSE(limiter.acquire("a", t0 + 600ms));
    EXPECT_TRUE(limiter.acquire("a", t0 + 600ms));
    // A long pause refills to the burst size, not beyond.
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.acquire("a", t0 + 60s)) << i;
    EXPECT_TRUE(limiter.acquire("a", t0 + 60s));
}

TEST(RateLimiter, ZeroRateSwitchesLimitingOff) {
    RateLimiter limiter(RateLimit{0, 0});
    EXPECT_FALSE(limiter.enabled());
    for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.acquire("a"));
}

// A batch of photos is admitted with one token and then takes one per photo: the key waits afterwards.
TEST(RateLimiter, DebitTakesTokensBelowZero) {
    RateLimiter limiter(RateLimit{2, 10});
    const auto t0 = RateLimiter::Clock::time_point{} + 100s;
    EXPECT_FALSE(limiter.acquire("a", t0));
    limiter.debit("a", 29, t0);  // a batch of 30
    auto wait = limiter.acquire("a", t0);
    ASSERT_TRUE(wait);
    EXPECT_NEAR(*wait, 10.5, 1e-9);  // from -20 back to 1 at 2 per second
    EXPECT_FALSE(limiter.acquire("b", t0));
    EXPECT_FALSE(limiter.acquire("a", t0 + 11s));
}

// Buckets of many client addresses do not grow without bound.
TEST(RateLimiter, ManyKeysStayBounded) {
    RateLimiter limiter(RateLimit{1, 2});
    const auto t0 = RateLimiter::Clock::time_point{} + 100s;
    for (size_t i = 0; i < 3 * RateLimiter::kMaxBuckets; ++i) limiter.acquire(std::to_string(i), t0);
    EXPECT_FALSE(limiter.acquire("late", t0));
}

TEST(RateLimiter, ExhaustedPeeksWithoutTakingAToken) {
    RateLimiter limiter(RateLimit{1, 2});
    const auto t0 = RateLimiter::Clock::time_point{} + 100s;
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.exhausted("a", t0));
    EXPECT_FALSE(limiter.acquire("a", t0));
    EXPECT_FALSE(limiter.acquire("a", t0));
    EXPECT_TRUE(limiter.exhausted("a", t0));
    EXPECT_FALSE(limiter.exhausted("a", t0 + 1s));
    EXPECT_FALSE(RateLimiter(RateLimit{0, 0}).exhausted("a", t0));
}

}  // namespace
}  // namespace faceid
