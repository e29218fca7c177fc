#pragma once
// Exact search: every query is compared with every stored vector. The reference that every faster index
// is tested against, and the fastest choice for small galleries (no build cost, no recall loss).
// Vectors are stored contiguously (float32, row-major) so that the scores of one query are a single
// matrix-vector product (OpenBLAS sgemv) and those of a batch a single matrix-matrix product (sgemm).
// A single query is bound by memory bandwidth (the whole gallery is read once). A FlatCodes
// (flat_codes.h) makes it faster and keeps it exact: a compressed copy of the rows that single queries
// scan first, re-scored against the float32 rows here ("flat16": float16, "flat8": int8).
#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "repositories/index/flat_codes.h"
#include "repositories/index/writer_priority_mutex.h"
#include "repositories/vector_index.h"

namespace faceid::index {

// The scans a FlatIndex can be made with: the float32 reference alone, or with float16 or int8 codes.
enum class FlatScan { kFloat32, kFloat16, kInt8 };

// The codes of a scan kind (nullptr for kFloat32).
std::unique_ptr<FlatCodes> make_flat_codes(FlatScan scan, int dim);

class FlatIndex : public VectorIndex {
  public:
    explicit FlatIndex(int dim, FlatScan scan = FlatScan::kFloat32);
    // With codes (nullptr: the float32 scan only).
    FlatIndex(int dim, std::unique_ptr<FlatCodes> codes);

    int dim() const override { return dim_; }
    void add(uint64_t label, const float* vector) override;
    // Reserves room for the batch first, so a bulk load allocates exactly once.
    void add_batch(const uint64_t* labels, const float* vectors, size_t n) override;
    bool remove(uint64_t label) override;
    std::vector<Neighbor> search(const float* query, int k) const override;
    std::vector<std::vector<Neighbor>> search_batch(const float* queries, int n, int k) const override;
    size_t size() const override;
    size_t memory_bytes() const override;
    std::string name() const override;
    void save(const std::filesystem::path& path) const override;
    void load(const std::filesystem::path& path) override;

    // Whether path starts like a file written by FlatIndex::save.
    static bool is_flat_file(const std::filesystem::path& path);

    // Calls visit(label, vector) for every stored vector, under the read lock (used to migrate the
    // contents into another index).
    void for_each(const std::function<void(uint64_t, const float*)>& visit) const;

    // With codes: single queries the codes could not answer alone (answered by the float32
    // scan instead). For the benchmark and the tests of the fallback.
    uint64_t exact_scan_fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }

  private:
    std::vector<Neighbor> search_float(const float* query, size_t k) const;
    FlatRows rows_view() const { return {vectors_.data(), labels_.data(), labels_.size(), dim_}; }

    const int dim_;
    const std::unique_ptr<FlatCodes> codes_;  // null: float32 only
    mutable WriterPriorityMutex mutex_;
    std::vector<float> vectors_;                 // row r at vectors_[r * dim_]
    std::vector<uint64_t> labels_;               // label of row r
    std::unordered_map<uint64_t, size_t> rows_;  // label -> row
    mutable std::atomic<uint64_t> fallbacks_{0};
};

}  // namespace faceid::index
