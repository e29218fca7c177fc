#include "repositories/index/inner_product.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace faceid::index {

float inner_product_reference(const float* a, const float* b, size_t dim) {
    // Four partial sums: lets the compiler vectorise without -ffast-math.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= dim; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < dim; ++i) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

#if defined(__x86_64__) && defined(__GNUC__)
namespace {

__attribute__((target("avx2,fma"))) float inner_product_avx2(const float* a, const float* b, size_t dim) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= dim; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= dim; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    __m256 acc = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; i < dim; ++i) sum += a[i] * b[i];
    return sum;
}

__attribute__((target("avx512f"))) float inner_product_avx512(const float* a, const float* b, size_t dim) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= dim; i += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
    }
    for (; i + 16 <= dim; i += 16)
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    // Reduced by hand with masked extracts: GCC 12's _mm512_reduce_add_ps and the unmasked extracts
    // warn about an uninitialised temporary (_mm256_undefined_pd).
    const __m512d acc = _mm512_castps_pd(_mm512_add_ps(acc0, acc1));
    const __m256 half =
        _mm256_add_ps(_mm256_castpd_ps(_mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xff, acc, 0)),
                      _mm256_castpd_ps(_mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xff, acc, 1)));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(half), _mm256_extractf128_ps(half, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; i < dim; ++i) sum += a[i] * b[i];
    return sum;
}

}  // namespace

InnerProductFn best_inner_product() {
    static const InnerProductFn chosen = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) return &inner_product_avx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &inner_product_avx2;
        return &inner_product_reference;
    }();
    return chosen;
}
#else
InnerProductFn best_inner_product() {
    return &inner_product_reference;
}
#endif

}  // namespace faceid::index
