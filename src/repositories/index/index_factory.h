#pragma once
// Builds the configured VectorIndex: "flat" (exact), "flat16" (exact, single queries scan a float16
// copy: ~2x faster, 1.5x memory), "flat8" (exact, single queries scan an int8 copy and re-score the
// candidates: 1.25x memory), "hnsw" (approximate) or "auto" (flat up to auto_threshold vectors,
// hnsw beyond).
#include <memory>
#include <string>

#include "core/face.h"
#include "repositories/index/hnsw_index.h"
#include "repositories/vector_index.h"

namespace faceid {

// Where "auto" switches from exact to approximate search. Measured with
//   bench_index --n N --queries 300 --kinds flat,flat16,hnsw [--blas-threads 1|2]
// on 512-d face-shaped vectors, 2 cores: flat's single-query p50 grows linearly with the gallery
// (3.3 ms at 20k on one core, 18.8 ms at 200k on two, machine nearly idle), so it passes ~5 ms around
// 50k; hnsw stays under 0.5 ms from 20k to 100k with recall@10 = 1.000 on that data. Below the line exact
// search is fast enough and costs no build; above it the graph pays off. The switch builds the graph
// once (~10 s of both cores at 50k, from 3.4 s at 20k).
inline constexpr size_t kAutoIndexThreshold = 50000;

struct IndexConfig {
    std::string kind = "auto";  // "flat" | "flat16" | "flat8" | "hnsw" | "auto"
    int dim = kEmbeddingDim;
    index::HnswParams hnsw;
    size_t auto_threshold = kAutoIndexThreshold;
};

// Throws Error(kInvalidField) for an unknown kind or invalid parameters.
std::unique_ptr<VectorIndex> make_vector_index(const IndexConfig& config);

}  // namespace faceid
