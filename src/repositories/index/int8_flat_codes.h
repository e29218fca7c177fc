#pragma once
// FlatCodes in int8 ("flat8"): single queries scan an int8 copy (a quarter of float32's bytes, AVX-512
// VNNI where available; int8_codes.h). Every row gets an interval that surely holds its exact score (the
// int8 estimate +- a per-row error bound); every row whose interval can reach the k-th best lower end is
// re-scored in float32; a query whose candidates are too many to re-score cheaply (near-ties everywhere)
// is left to the float32 scan. Components must be finite.
#include "repositories/index/flat_codes.h"
#include "repositories/index/int8_codes.h"

#include <cstdint>
#include <vector>

namespace faceid::index {

class Int8FlatCodes : public FlatCodes {
  public:
    explicit Int8FlatCodes(int dim) : dim_(dim), stride_(int8_stride(size_t(dim))) {}

    std::string kind() const override { return "flat8"; }
    void check(const float* vector, int dim) const override;
    void reserve(size_t rows) override;
    void set_row(size_t row, const float* vector) override;
    void move_row(size_t from, size_t to) override;
    void pop_row() override;
    void clear() override;
    size_t memory_bytes() const override {
        return codes_.capacity() + info_.capacity() * sizeof(Int8RowInfo);
    }
    std::optional<std::vector<Neighbor>> search(const FlatRows& rows, const float* query,
                                                size_t k) const override;

  private:
    struct Scan;
    // The per-row part of search over rows [begin, end): see int8_flat_codes.cpp.
    void scan(const int8_t* query_codes, const Int8Query& query, size_t begin, size_t end, Scan& out) const;

    const int dim_;
    const size_t stride_;            // bytes per row of codes_
    std::vector<uint8_t> codes_;     // biased int8 codes, row r at codes_[r * stride_]
    std::vector<Int8RowInfo> info_;  // scale and error-bound norms of row r
};

}  // namespace faceid::index
