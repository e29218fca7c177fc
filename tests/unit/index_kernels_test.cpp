// The SIMD kernels of the vector indexes against their plain references (ncnn style): float32 inner
// product, float16 conversion and the float32 x float16 inner product, int8 quantisation (its error bound)
// and the int8 dot-product kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "repositories/index/half_float.h"
#include "repositories/index/inner_product.h"
#include "repositories/index/int8_codes.h"

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

// Every int8 kernel the CPU runs (AVX-512 VNNI and AVX2 here) gives exactly the reference's integers,
// for extreme codes (+-127, where a saturating instruction would show) and for ragged row counts.
TEST(Int8Codes, EveryKernelMatchesTheReferenceExactly) {
    std::mt19937 rng(4);
    for (size_t dim : {1, 63, 64, 100, 512}) {
        const size_t stride = int8_stride(dim), rows = 37;
        std::vector<int8_t> query(stride, 0);
        std::vector<uint8_t> codes(rows * stride, 128);
        for (size_t i = 0; i < dim; ++i) query[i] = int8_t(int(rng() % 255) - 127);
        for (size_t r = 0; r < rows; ++r)
            for (size_t i = 0; i < dim; ++i) {
                const int code = r == 0 ? 127 : r == 1 ? -127 : int(rng() % 255) - 127;
                codes[r * stride + i] = uint8_t(code + 128);
            }
        if (dim >= 64) std::fill(query.begin(), query.begin() + 64, int8_t(-127));  // extremes meet
        int32_t query_sum = 0;
        for (int8_t u : query) query_sum += u;
        std::vector<int32_t> want(rows);
        int8_dot_rows_reference(query.data(), query_sum, codes.data(), rows, stride, want.data());
        int32_t plain = 0;  // the reference itself, for row 2
        for (size_t i = 0; i < dim; ++i) plain += query[i] * (int(codes[2 * stride + i]) - 128);
        EXPECT_EQ(want[2], plain);
        for (Int8DotRowsFn kernel : int8_dot_rows_kernels()) {
            std::vector<int32_t> got(rows, -1);
            kernel(query.data(), query_sum, codes.data(), rows, stride, got.data());
            EXPECT_EQ(got, want) << "dim " << dim;
        }
    }
    EXPECT_GE(int8_dot_rows_kernels().size(), 1u);
}

// The bound the flat8 index relies on: |<q, v> - t * s * <u, c>| <= |q| |e| + |f| |v'|, on vectors
// of many shapes (one large component, tiny values, zeros).
TEST(Int8Codes, QuantisationErrorStaysWithinTheBound) {
    std::mt19937 rng(5);
    std::normal_distribution<float> gauss;
    const size_t dim = 512, stride = int8_stride(dim);
    double worst_share = 0;  // how much of the bound the error used
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<float> q(dim), v(dim);
        for (auto& x : q) x = gauss(rng);
        for (auto& x : v) x = gauss(rng) * (trial % 3 == 0 ? 1e-6f : 1.0f);
        if (trial % 5 == 0) v[rng() % dim] = 40;  // one outlier: coarse codes for the rest
        if (trial % 7 == 0) std::fill(v.begin(), v.begin() + 200, 0.0f);
        std::vector<uint8_t> codes(stride);
        std::vector<int8_t> query_codes(stride);
        const Int8RowInfo row = quantize_int8_row(v.data(), dim, codes.data());
        const Int8Query query = quantize_int8_query(q.data(), dim, query_codes.data());
        int32_t dot;
        best_int8_dot_rows()(query_codes.data(), query.code_sum, codes.data(), 1, stride, &dot);
        double exact = 0;
        for (size_t i = 0; i < dim; ++i) exact += double(q[i]) * v[i];
        const double estimate = double(query.scale) * row.scale * dot;
        const double bound =
            double(query.norm) * row.residual_norm + double(query.residual_norm) * row.quantized_norm;
        ASSERT_LE(std::fabs(exact - estimate), bound * (1 + 1e-5) + 1e-12) << "trial " << trial;
        worst_share = std::max(worst_share, std::fabs(exact - estimate) / bound);
    }
    EXPECT_GT(worst_share, 0.0);
    std::vector<float> zero(dim, 0.0f);
    std::vector<uint8_t> codes(stride);
    const Int8RowInfo info = quantize_int8_row(zero.data(), dim, codes.data());
    EXPECT_EQ(info.scale, 0.0f);
    EXPECT_EQ(info.residual_norm, 0.0f);
    EXPECT_EQ(codes, std::vector<uint8_t>(stride, 128));
}

}  // namespace
}  // namespace faceid::index
