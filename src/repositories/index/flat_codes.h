#pragma once
// A compressed copy of a FlatIndex's rows that single queries scan first, then re-score exactly against
// the float32 rows: FlatIndex stays the exact reference, and a FlatCodes turns it into a faster exact
// index the way FAISS's refine wrappers put a fast approximate pass in front of an exact one. The codes
// are kept row for row in step with the float32 rows (FlatIndex calls set_row / move_row / pop_row under
// its write lock) and never change a result: search() answers only when it can prove its answer equals
// the float32 scan's, and says so otherwise.
//   float16 (half_flat_codes.h, kind "flat16"): half the bytes, memory 1.5x.
//   int8 (int8_flat_codes.h, kind "flat8"): a quarter of the bytes, memory 1.25x.
#include "repositories/vector_index.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faceid::index {

// The float32 rows a FlatCodes re-scores against (read-only, under FlatIndex's read lock).
struct FlatRows {
    const float* vectors = nullptr;  // row r at vectors[r * dim]
    const uint64_t* labels = nullptr;
    size_t count = 0;
    int dim = 0;
};

// Rows re-scored beyond k in float32 (and the smallest gallery, k + this, that a code scan is worth), and
// the gallery size from which one query's code scan is split over all cores (below it, starting a thread
// costs more than it saves).
inline constexpr size_t kRescoreMargin = 32;
inline constexpr size_t kParallelScanRows = 50000;

class FlatCodes {
  public:
    virtual ~FlatCodes() = default;

    // The index kind this makes ("flat16", "flat8").
    virtual std::string kind() const = 0;
    // Throws Error(kInvalidField) for a vector these codes cannot hold; called before anything changes.
    virtual void check(const float* vector, int dim) const = 0;
    virtual void reserve(size_t rows) = 0;
    // Codes row `row` from vector; row == rows held appends.
    virtual void set_row(size_t row, const float* vector) = 0;
    // Row `to` takes row `from`'s codes (FlatIndex fills a removed row's hole with its last row).
    virtual void move_row(size_t from, size_t to) = 0;
    virtual void pop_row() = 0;
    virtual void clear() = 0;
    virtual size_t memory_bytes() const = 0;
    // The top k of `rows` for this query, exactly as the float32 scan would give them; nullopt when the
    // codes cannot prove it (the caller scans in float32). Called with rows.count > k + kRescoreMargin.
    virtual std::optional<std::vector<Neighbor>> search(const FlatRows& rows, const float* query,
                                                        size_t k) const = 0;
};

// How many threads scan n rows of codes for one query: every core from kParallelScanRows rows, else one.
size_t code_scan_threads(size_t n);

}  // namespace faceid::index
