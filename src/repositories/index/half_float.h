#pragma once
// float16 storage for the flat index's fast scan: conversion, and the inner product of a float32 query
// with a float16 row, with the widest SIMD the CPU offers (AVX-512, AVX2+F16C or plain C++), chosen at
// run time.
#include <cstddef>
#include <cstdint>

namespace faceid::index {

using half = uint16_t;  // IEEE 754 binary16 bits

// Round to nearest even; values beyond the float16 range become +-inf.
void float_to_half(const float* in, half* out, size_t n);
float half_to_float(half h);

using HalfInnerProductFn = float (*)(const float* query, const half* row, size_t dim);
HalfInnerProductFn best_half_inner_product();
float half_inner_product_reference(const float* query, const half* row, size_t dim);

// Largest finite float16 value.
inline constexpr float kHalfMax = 65504.0f;
// Relative rounding error of float16 (unit roundoff, 2^-11): |<q, v> - <q, half(v)>| <= kHalfEpsilon * |q| *
// |v|.
inline constexpr float kHalfEpsilon = 1.0f / 2048.0f;

}  // namespace faceid::index
