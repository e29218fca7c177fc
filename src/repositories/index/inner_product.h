#pragma once
// The inner product of two float vectors, using the widest SIMD the CPU offers (AVX-512, AVX2+FMA or
// plain C++), chosen once at run time. The build does not assume any instruction set beyond x86-64, so
// the binary still runs on older CPUs; hnswlib's own kernels are chosen at compile time and would be SSE
// only in such a build.
#include <cstddef>

namespace faceid::index {

using InnerProductFn = float (*)(const float* a, const float* b, size_t dim);

// The fastest kernel for this CPU.
InnerProductFn best_inner_product();
// The portable kernel, the reference for the SIMD ones.
float inner_product_reference(const float* a, const float* b, size_t dim);

}  // namespace faceid::index
