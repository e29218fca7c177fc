#pragma once
// Builds the configured VectorIndex: "flat" (exact), "flat16" (exact, single queries scan a float16
// copy: ~2x faster, 1.5x memory), "hnsw" (approximate) or "auto" (flat up to auto_threshold vectors,
// hnsw beyond).
#include <memory>
#include <string>

#include "core/face.h"
#include "repositories/index/hnsw_index.h"
#include "repositories/vector_index.h"

namespace faceid {

// Where "auto" switches from exact to approximate search. Measured with bench_index on 512-d
// face-shaped vectors (see index_factory.cpp for the figures and the command).
inline constexpr size_t kAutoIndexThreshold = 50000;

struct IndexConfig {
    std::string kind = "auto";  // "flat" | "flat16" | "hnsw" | "auto"
    int dim = kEmbeddingDim;
    index::HnswParams hnsw;
    size_t auto_threshold = kAutoIndexThreshold;
};

// Throws Error(kInvalidField) for an unknown kind or invalid parameters.
std::unique_ptr<VectorIndex> make_vector_index(const IndexConfig& config);

}  // namespace faceid
