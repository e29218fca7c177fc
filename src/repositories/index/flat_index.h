#pragma once
// Exact search: every query is compared with every stored vector. The reference that every faster index
// is tested against, and the fastest choice for small galleries (no build cost, no recall loss).
// Vectors are stored contiguously (float32, row-major) so that the scores of one query are a single
// matrix-vector product (OpenBLAS sgemv) and those of a batch a single matrix-matrix product (sgemm).
// A single query is bound by memory bandwidth (the whole gallery is read once); FlatScan::kFloat16 keeps
// a float16 copy that single queries scan instead (half the bytes), then re-scores the best k + 32 rows
// in float32 and falls back to the float32 scan whenever it cannot prove the float16 pass kept every true
// top-k row (float16 rounding moves a score by at most 2^-11 * |q| * |v|). Results stay exact; memory
// is 1.5x.
// FlatScan::kInt8 ("flat8") keeps an int8 copy instead (a quarter of the bytes, scanned with AVX-512 VNNI
// where available; int8_codes.h): every row gets an interval that surely holds its exact score (int8
// estimate +- a per-row error bound), every row whose interval can reach the k-th best lower end is
// re-scored in float32, and a query whose candidates are too many to re-score cheaply (near-ties
// everywhere) is answered by the float32 scan. Results stay exact; memory is 1.25x.
#include <atomic>
#include <functional>
#include <unordered_map>
#include <vector>

#include "repositories/index/int8_codes.h"
#include "repositories/index/writer_priority_mutex.h"
#include "repositories/vector_index.h"

namespace faceid::index {

enum class FlatScan { kFloat32, kFloat16, kInt8 };

class FlatIndex : public VectorIndex {
  public:
    explicit FlatIndex(int dim, FlatScan scan = FlatScan::kFloat32);

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

    // kFloat16 / kInt8: single queries the fast scan could not answer alone (answered by the float32
    // scan instead). For the benchmark and the tests of the fallback.
    uint64_t exact_scan_fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }

  private:
    // Scores of one query against rows [begin, end) from the float16 copy.
    void score_half(const float* query, size_t begin, size_t end, float* scores) const;
    std::vector<Neighbor> search_half(const float* query, size_t k) const;
    std::vector<Neighbor> search_float(const float* query, size_t k) const;
    std::vector<Neighbor> search_int8(const float* query, size_t k) const;
    // The per-row part of search_int8 over rows [begin, end): see flat_index.cpp.
    struct Int8Scan;
    void scan_int8(const int8_t* query_codes, const Int8Query& query, size_t begin, size_t end,
                   Int8Scan& scan) const;

    const int dim_;
    const FlatScan scan_;
    mutable WriterPriorityMutex mutex_;
    std::vector<float> vectors_;                 // row r at vectors_[r * dim_]
    std::vector<uint64_t> labels_;               // label of row r
    std::unordered_map<uint64_t, size_t> rows_;  // label -> row
    std::vector<uint16_t> halves_;               // kFloat16: float16 copy of vectors_
    float max_norm_ = 0;                         // kFloat16: largest row norm ever added (error bound)
    const size_t code_stride_;                   // kInt8: bytes per row of codes_
    std::vector<uint8_t> codes_;                 // kInt8: biased int8 codes, row r at codes_[r * stride]
    std::vector<Int8RowInfo> code_info_;         // kInt8: scale and error-bound norms of row r
    mutable std::atomic<uint64_t> fallbacks_{0};
};

}  // namespace faceid::index
