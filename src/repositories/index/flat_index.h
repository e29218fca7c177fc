#pragma once
// Exact search: every query is compared with every stored vector. The reference that every faster index
// is tested against, and the fastest choice for small galleries (no build cost, no recall loss).
// Vectors are stored contiguously (float32, row-major) so that the scores of one query are a single
// matrix-vector product (OpenBLAS sgemv) and those of a batch a single matrix-matrix product (sgemm).
#include <functional>
#include <unordered_map>
#include <vector>
#include "repositories/index/writer_priority_mutex.h"

#include "repositories/vector_index.h"

namespace faceid::index {

class FlatIndex : public VectorIndex {
  public:
    explicit FlatIndex(int dim);

    int dim() const override { return dim_; }
    void add(uint64_t label, const float* vector) override;
    bool remove(uint64_t label) override;
    std::vector<Neighbor> search(const float* query, int k) const override;
    std::vector<std::vector<Neighbor>> search_batch(const float* queries, int n, int k) const override;
    size_t size() const override;
    size_t memory_bytes() const override;
    std::string name() const override { return "flat"; }
    void save(const std::filesystem::path& path) const override;
    void load(const std::filesystem::path& path) override;

    // Whether path starts like a file written by FlatIndex::save.
    static bool is_flat_file(const std::filesystem::path& path);

    // Calls visit(label, vector) for every stored vector, under the read lock (used to migrate the
    // contents into another index).
    void for_each(const std::function<void(uint64_t, const float*)>& visit) const;

  private:
    const int dim_;
    mutable WriterPriorityMutex mutex_;
    std::vector<float> vectors_;                 // row r at vectors_[r * dim_]
    std::vector<uint64_t> labels_;               // label of row r
    std::unordered_map<uint64_t, size_t> rows_;  // label -> row
};

}  // namespace faceid::index
