#include "repositories/index/int8_codes.h"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace faceid::index {
namespace {

// Norms are computed in double and rounded up before they become floats, so that the bound never
// understates an error.
float rounded_up(double norm) {
    return float(norm * (1 + 1e-6));
}

// Shared by rows and queries: scale = max |x| / 127, codes = round(x / scale); returns the scale, the
// residual norm and the norm of the quantised vector.
template <typename Store>
void quantize(const float* x, size_t dim, Store store, float& scale, float& residual_norm,
              float& quantized_norm) {
    float max_abs = 0;
    for (size_t i = 0; i < dim; ++i) max_abs = std::max(max_abs, std::fabs(x[i]));
    scale = max_abs / 127;
    double residual = 0, quantized = 0;
    for (size_t i = 0; i < dim; ++i) {
        const int code = scale > 0 ? std::clamp(int(std::nearbyint(x[i] / scale)), -127, 127) : 0;
        store(i, code);
        const double value = double(scale) * code, error = double(x[i]) - value;
        residual += error * error;
        quantized += value * value;
    }
    residual_norm = rounded_up(std::sqrt(residual));
    quantized_norm = rounded_up(std::sqrt(quantized));
}

}  // namespace

Int8RowInfo quantize_int8_row(const float* v, size_t dim, uint8_t* codes) {
    Int8RowInfo info;
    std::fill(codes, codes + int8_stride(dim), uint8_t(128));
    quantize(
        v, dim, [codes](size_t i, int code) { codes[i] = uint8_t(code + 128); }, info.scale,
        info.residual_norm, info.quantized_norm);
    return info;
}

Int8Query quantize_int8_query(const float* q, size_t dim, int8_t* codes) {
    Int8Query query;
    std::fill(codes, codes + int8_stride(dim), int8_t(0));
    float quantized_norm;
    int32_t sum = 0;
    quantize(
        q, dim,
        [codes, &sum](size_t i, int code) {
            codes[i] = int8_t(code);
            sum += code;
        },
        query.scale, query.residual_norm, quantized_norm);
    double norm = 0;
    for (size_t i = 0; i < dim; ++i) norm += double(q[i]) * q[i];
    query.norm = rounded_up(std::sqrt(norm));
    query.code_sum = sum;
    return query;
}

void int8_dot_rows_reference(const int8_t* query, int32_t /*query_sum*/, const uint8_t* rows, size_t n_rows,
                             size_t stride, int32_t* out) {
    for (size_t r = 0; r < n_rows; ++r) {
        const uint8_t* row = rows + r * stride;
        int32_t sum = 0;
        for (size_t i = 0; i < stride; ++i) sum += int32_t(query[i]) * (int32_t(row[i]) - 128);
        out[r] = sum;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
namespace {

// Four rows at a time: four independent accumulator chains keep the multiply units busy, and the four
// sums are reduced together.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void int8_dot_rows_vnni(
    const int8_t* query, int32_t query_sum, const uint8_t* rows, size_t n_rows, size_t stride, int32_t* out) {
    const int32_t bias = 128 * query_sum;  // sum_i u_i * (c_i + 128) = <u, c> + 128 * sum_i u_i
    size_t r = 0;
    for (; r + 4 <= n_rows; r += 4) {
        const uint8_t* row = rows + r * stride;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t i = 0; i < stride; i += 64) {
            const __m512i q = _mm512_loadu_si512(query + i);
            a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512(row + i), q);
            a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512(row + stride + i), q);
            a2 = _mm512_dpbusd_epi32(a2, _mm512_loadu_si512(row + 2 * stride + i), q);
            a3 = _mm512_dpbusd_epi32(a3, _mm512_loadu_si512(row + 3 * stride + i), q);
        }
        // Transpose-and-add: lane j of each 128-bit block ends up holding a partial sum of row j. (Zero-
        // masked forms: GCC 12's unmasked ones warn about an uninitialised temporary.)
        const __m512i s01 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi32(0xffff, a0, a1),
                                             _mm512_maskz_unpackhi_epi32(0xffff, a0, a1));
        const __m512i s23 = _mm512_add_epi32(_mm512_maskz_unpacklo_epi32(0xffff, a2, a3),
                                             _mm512_maskz_unpackhi_epi32(0xffff, a2, a3));
        const __m512i s = _mm512_add_epi32(_mm512_maskz_unpacklo_epi64(0xff, s01, s23),
                                           _mm512_maskz_unpackhi_epi64(0xff, s01, s23));
        // Add the four 128-bit blocks.
        const __m512i t =
            _mm512_add_epi32(s, _mm512_maskz_shuffle_i32x4(0xffff, s, s, _MM_SHUFFLE(1, 0, 3, 2)));
        const __m512i u =
            _mm512_add_epi32(t, _mm512_maskz_shuffle_i32x4(0xffff, t, t, _MM_SHUFFLE(2, 3, 0, 1)));
        alignas(64) int32_t sums[16];
        _mm512_store_si512(sums, u);
        for (int j = 0; j < 4; ++j) out[r + j] = sums[j] - bias;
    }
    if (r < n_rows) int8_dot_rows_reference(query, query_sum, rows + r * stride, n_rows - r, stride, out + r);
}

__attribute__((target("avx2"))) void int8_dot_rows_avx2(const int8_t* query, int32_t /*query_sum*/,
                                                        const uint8_t* rows, size_t n_rows, size_t stride,
                                                        int32_t* out) {
    // No unsigned x signed dot product here without saturation at our code range, so the biased codes
    // are turned back into signed ones and multiplied as |c| * (u * sign(c)): each pair of products is at
    // most 2 * 127 * 127 < 2^15, so vpmaddubsw cannot saturate.
    const __m256i flip = _mm256_set1_epi8(char(0x80)), ones = _mm256_set1_epi16(1);
    for (size_t r = 0; r < n_rows; ++r) {
        const uint8_t* row = rows + r * stride;
        __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0;
        for (size_t i = 0; i < stride; i += 64) {
            const __m256i c0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i*)(row + i)), flip);
            const __m256i c1 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i*)(row + i + 32)), flip);
            const __m256i u0 = _mm256_loadu_si256((const __m256i*)(query + i));
            const __m256i u1 = _mm256_loadu_si256((const __m256i*)(query + i + 32));
            acc0 = _mm256_add_epi32(
                acc0,
                _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(c0), _mm256_sign_epi8(u0, c0)), ones));
            acc1 = _mm256_add_epi32(
                acc1,
                _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(c1), _mm256_sign_epi8(u1, c1)), ones));
        }
        const __m256i acc = _mm256_add_epi32(acc0, acc1);
        __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
        s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
        out[r] = _mm_cvtsi128_si32(s);
    }
}

}  // namespace

Int8DotRowsFn best_int8_dot_rows() {
    static const Int8DotRowsFn chosen = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vnni"))
            return &int8_dot_rows_vnni;
        if (__builtin_cpu_supports("avx2")) return &int8_dot_rows_avx2;
        return &int8_dot_rows_reference;
    }();
    return chosen;
}

std::vector<Int8DotRowsFn> int8_dot_rows_kernels() {
    __builtin_cpu_init();
    std::vector<Int8DotRowsFn> kernels = {&int8_dot_rows_reference};
    if (__builtin_cpu_supports("avx2")) kernels.push_back(&int8_dot_rows_avx2);
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vnni"))
        kernels.push_back(&int8_dot_rows_vnni);
    return kernels;
}
#else
Int8DotRowsFn best_int8_dot_rows() {
    return &int8_dot_rows_reference;
}
std::vector<Int8DotRowsFn> int8_dot_rows_kernels() {
    return {&int8_dot_rows_reference};
}
#endif

}  // namespace faceid::index
