#pragma once
// FlatCodes in float16 ("flat16"): single queries scan a float16 copy (half the bytes of float32), re-score
// the best k + kRescoreMargin rows in float32, and give up (the float32 scan answers) whenever they cannot
// prove that the float16 pass kept every true top-k row: float16 rounding moves a score by at most
// 2^-11 * |q| * |v|. Components must lie within float16's range.
#include "repositories/index/flat_codes.h"

#include <cstdint>
#include <vector>

namespace faceid::index {

class HalfFlatCodes : public FlatCodes {
  public:
    explicit HalfFlatCodes(int dim) : dim_(dim) {}

    std::string kind() const override { return "flat16"; }
    void check(const float* vector, int dim) const override;
    void reserve(size_t rows) override { halves_.reserve(rows * dim_); }
    void set_row(size_t row, const float* vector) override;
    void move_row(size_t from, size_t to) override;
    void pop_row() override { halves_.resize(halves_.size() - dim_); }
    void clear() override;
    size_t memory_bytes() const override { return halves_.capacity() * sizeof(uint16_t); }
    std::optional<std::vector<Neighbor>> search(const FlatRows& rows, const float* query,
                                                size_t k) const override;

  private:
    // Scores of one query against rows [begin, end).
    void score(const float* query, size_t begin, size_t end, float* scores) const;

    const int dim_;
    std::vector<uint16_t> halves_;  // row r at halves_[r * dim_]
    float max_norm_ = 0;            // largest row norm ever coded (the error bound); never lowered
};

}  // namespace faceid::index
