#include "repositories/vector_index.h"

namespace faceid {

std::vector<std::vector<Neighbor>> VectorIndex::search_batch(const float* queries, int n, int k) const {
    std::vector<std::vector<Neighbor>> results;
    results.reserve(n);
    for (int i = 0; i < n; ++i) results.push_back(search(queries + size_t(i) * dim(), k));
    return results;
}

}  // namespace faceid
