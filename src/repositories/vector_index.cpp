#include "repositories/vector_index.h"

#include "core/error.h"

namespace faceid {

void VectorIndex::add_batch(const uint64_t* labels, const float* vectors, size_t n) {
    for (size_t i = 0; i < n; ++i) add(labels[i], vectors + i * dim());
}

std::vector<std::vector<Neighbor>> VectorIndex::search_batch(const float* queries, int n, int k) const {
    std::vector<std::vector<Neighbor>> results;
    results.reserve(n);
    for (int i = 0; i < n; ++i) results.push_back(search(queries + size_t(i) * dim(), k));
    return results;
}

void VectorIndex::save(const std::filesystem::path&) const {
    throw Error(ErrorCode::kInternal, "the " + name() + " index cannot be saved");
}

void VectorIndex::load(const std::filesystem::path&) {
    throw Error(ErrorCode::kInternal, "the " + name() + " index cannot be loaded");
}

}  // namespace faceid
