#pragma once
// int8 storage for the flat index's fast scan (FlatScan::kInt8): each row v is kept as s * c with one
// scale s per row and codes c in [-127, 127], and the scan computes the integer dot product of the codes
// with an int8 query, with the widest instructions the CPU offers (AVX-512 VNNI, AVX2 or plain C++), chosen
// at run time. A quarter of float32's bytes, so a memory-bound scan reads a quarter as much.
//
// Error bound (what lets the index stay exact). With v = v' + e (v' = s * c, e the rounding residual) and
// q = q' + f likewise for the query, <q, v> - <q', v'> = <q, e> + <f, v'>, so by Cauchy-Schwarz
//   |<q, v> - <q', v'>| <= |q| * |e| + |f| * |v'|.
// Every row stores |e| and |v'|; the query's |q| and |f| are known at search time.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace faceid::index {

// Codes are stored biased by 128 (c + 128, in [1, 255]) so that VNNI's unsigned x signed product
// (vpdpbusd) applies directly; the kernels remove the bias. Rows are padded to a multiple of 64 bytes
// (padding 128, i.e. code 0) so that the kernels need no tail loop.
inline constexpr size_t kInt8RowAlign = 64;
inline size_t int8_stride(size_t dim) {
    return (dim + kInt8RowAlign - 1) / kInt8RowAlign * kInt8RowAlign;
}

// What the error bound needs of one row.
struct Int8RowInfo {
    float scale = 0;           // s: v ~ s * c
    float residual_norm = 0;   // |e| = |v - s * c|, rounded up
    float quantized_norm = 0;  // |v'| = |s * c|, rounded up
};

// Quantises one row of dim floats into stride = int8_stride(dim) biased codes. Components must be finite.
Int8RowInfo quantize_int8_row(const float* v, size_t dim, uint8_t* codes);

// A query quantised likewise (t * u, u in [-127, 127], unbiased), padded with zeros to the stride.
struct Int8Query {
    float scale = 0;          // t
    float norm = 0;           // |q|, rounded up
    float residual_norm = 0;  // |f| = |q - t * u|, rounded up
    int32_t code_sum = 0;     // sum of u (removes the rows' bias in the VNNI kernel)
};
Int8Query quantize_int8_query(const float* q, size_t dim, int8_t* codes);

// out[r] = sum_i query[i] * (rows[r * stride + i] - 128) for r < n_rows, exactly (int32 cannot overflow:
// |sum| <= 127 * 127 * stride). query_sum is the sum of the query's codes.
using Int8DotRowsFn = void (*)(const int8_t* query, int32_t query_sum, const uint8_t* rows, size_t n_rows,
                               size_t stride, int32_t* out);
Int8DotRowsFn best_int8_dot_rows();
// Every kernel this CPU can run, the reference first (for the kernel tests).
std::vector<Int8DotRowsFn> int8_dot_rows_kernels();
void int8_dot_rows_reference(const int8_t* query, int32_t query_sum, const uint8_t* rows, size_t n_rows,
                             size_t stride, int32_t* out);

}  // namespace faceid::index
