#include "repositories/index/half_float.h"

#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace faceid::index {
namespace {

half float_to_half_scalar(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000;
    uint32_t abs = x & 0x7fffffff;
    if (abs >= 0x7f800000) return half(sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));  // inf / nan
    if (abs >= 0x477ff000) return half(sign | 0x7c00);  // rounds beyond 65504: inf
    if (abs < 0x38800000) {  // subnormal half (or zero): scale into the integer range and round
        const float scaled = std::fabs(f) * 16777216.0f;  // 2^24: one subnormal half step = 1
        return half(sign | uint32_t(std::nearbyint(scaled)));
    }
    // normal: rebias exponent, round mantissa to 10 bits, nearest even
    const uint32_t mantissa_odd = (abs >> 13) & 1;
    abs += 0xfff + mantissa_odd;
    return half(sign | (((abs - 0x38000000) >> 13) & 0x7fff));
}

}  // namespace

float half_to_float(half h) {
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    float value;
    if (exponent == 0)
        value = std::ldexp(float(mantissa), -24);
    else if (exponent == 31)
        value = mantissa ? NAN : INFINITY;
    else
        value = std::ldexp(float(mantissa | 0x400), int(exponent) - 25);
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    bits |= sign;
    std::memcpy(&value, &bits, 4);
    return value;
}

void float_to_half(const float* in, half* out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = float_to_half_scalar(in[i]);
}

float half_inner_product_reference(const float* query, const half* row, size_t dim) {
    float s0 = 0, s1 = 0;
    size_t i = 0;
    for (; i + 2 <= dim; i += 2) {
        s0 += query[i] * half_to_float(row[i]);
        s1 += query[i + 1] * half_to_float(row[i + 1]);
    }
    for (; i < dim; ++i) s0 += query[i] * half_to_float(row[i]);
    return s0 + s1;
}

#if defined(__x86_64__) && defined(__GNUC__)
namespace {

__attribute__((target("avx2,fma,f16c"))) float half_inner_product_avx2(const float* q, const half* r,
                                                                       size_t dim) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) {
        acc0 =
            _mm256_fmadd_ps(_mm256_loadu_ps(q + i),
                            _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + i))), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8),
                               _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + i + 8))),
                               acc1);
    }
    __m256 acc = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; i < dim; ++i) sum += q[i] * half_to_float(r[i]);
    return sum;
}

__attribute__((target("avx512f"))) float half_inner_product_avx512(const float* q, const half* r,
                                                                   size_t dim) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= dim; i += 32) {
        acc0 =
            _mm512_fmadd_ps(_mm512_loadu_ps(q + i),
                            _mm512_mask_cvtph_ps(_mm512_setzero_ps(), 0xffff,
                                                 _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + i))),
                            acc0);
        acc1 = _mm512_fmadd_ps(
            _mm512_loadu_ps(q + i + 16),
            _mm512_mask_cvtph_ps(_mm512_setzero_ps(), 0xffff,
                                 _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + i + 16))),
            acc1);
    }
    // Masked conversions and extracts: GCC 12's unmasked ones warn about an uninitialised temporary.
    const __m512d acc = _mm512_castps_pd(_mm512_add_ps(acc0, acc1));
    const __m256 half_sum =
        _mm256_add_ps(_mm256_castpd_ps(_mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xff, acc, 0)),
                      _mm256_castpd_ps(_mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xff, acc, 1)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(half_sum), _mm256_extractf128_ps(half_sum, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; i < dim; ++i) sum += q[i] * half_to_float(r[i]);
    return sum;
}

}  // namespace

HalfInnerProductFn best_half_inner_product() {
    static const HalfInnerProductFn chosen = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) return &half_inner_product_avx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
            return &half_inner_product_avx2;
        return &half_inner_product_reference;
    }();
    return chosen;
}
#else
HalfInnerProductFn best_half_inner_product() {
    return &half_inner_product_reference;
}
#endif

}  // namespace faceid::index
