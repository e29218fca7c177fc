// The SIMD kernels of the vector indexes against their plain references (ncnn style): float32 inner
// product, float16 conversion and the float32 x float16 inner product.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "repositories/index/half_float.h"
#include "repositories/index/inner_product.h"

namespace faceid::index {
namespace {

TEST(InnerProduct, BestKernelMatchesReference) {
    std::mt19937 rng(1);
    std::normal_distribution<float> gauss;
    for (size_t dim : {1, 7, 16, 31, 128, 512, 513}) {
        std::vector<float> a(dim), b(dim);
        for (auto& x : a) x = gauss(rng);
        for (auto& x : b) x = gauss(rng);
        EXPECT_NEAR(best_inner_product()(a.data(), b.data(), dim),
                    inner_product_reference(a.data(), b.data(), dim), 1e-4 * std::sqrt(double(dim)))
            << "dim " << dim;
    }
}

TEST(HalfFloat, EveryHalfRoundTrips) {
    for (uint32_t bits = 0; bits < 0x10000; ++bits) {
        const half h = half(bits);
        const float f = half_to_float(h);
        if (std::isnan(f)) continue;
        half back;
        float_to_half(&f, &back, 1);
        ASSERT_EQ(back, h) << "bits " << bits << " value " << f;
    }
}

TEST(HalfFloat, RoundsToTheNearestHalf) {
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> uniform(-70000.f, 70000.f);
    std::normal_distribution<float> small(0.f, 0.05f);
    for (int i = 0; i < 20000; ++i) {
        const float x = i % 2 ? uniform(rng) : small(rng);
        half h;
        float_to_half(&x, &h, 1);
        const float y = half_to_float(h);
        if (std::fabs(x) >= 65520.f) {
            EXPECT_TRUE(std::isinf(y)) << x;
            continue;
        }
        // No other half is closer (the neighbours differ by one unit in the last place).
        const float up = half_to_float(half(h + 1)), down = half_to_float(half(h - 1));
        if (!std::isnan(up)) {
            EXPECT_LE(std::fabs(y - x), std::fabs(up - x)) << x;
        }
        if (!std::isnan(down) && h != 0x8000 && h != 0) {
            EXPECT_LE(std::fabs(y - x), std::fabs(down - x)) << x;
        }
        if (std::fabs(x) >= 6.2e-5f) {  // normal range: relative error at most 2^-11
            EXPECT_LE(std::fabs(y - x), kHalfEpsilon * std::fabs(x)) << x;
        }
    }
}

TEST(HalfFloat, BestInnerProductMatchesReferenceAndTheErrorBound) {
    std::mt19937 rng(3);
    std::normal_distribution<float> gauss;
    for (size_t dim : {1, 15, 32, 100, 512}) {
        std::vector<float> q(dim), v(dim);
        for (auto& x : q) x = gauss(rng);
        for (auto& x : v) x = gauss(rng);
        std::vector<half> h(dim);
        float_to_half(v.data(), h.data(), dim);
        const float fast = best_half_inner_product()(q.data(), h.data(), dim);
        EXPECT_NEAR(fast, half_inner_product_reference(q.data(), h.data(), dim),
                    1e-4 * std::sqrt(double(dim)));
        double exact = 0, qn = 0, vn = 0;
        for (size_t i = 0; i < dim; ++i)
            exact += double(q[i]) * v[i], qn += double(q[i]) * q[i], vn += double(v[i]) * v[i];
        EXPECT_LE(std::fabs(fast - exact), kHalfEpsilon * std::sqrt(qn * vn) + 1e-4) << "dim " << dim;
    }
}

}  // namespace
}  // namespace faceid::index
