#include "repositories/index/half_flat_codes.h"

#include "core/error.h"
#include "repositories/index/half_float.h"
#include "repositories/index/inner_product.h"
#include "repositories/index/top_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>

namespace faceid::index {
namespace {

float norm_of(const float* v, int dim) {
    double s = 0;
    for (int i = 0; i < dim; ++i) s += double(v[i]) * v[i];
    return float(std::sqrt(s));
}

// One score buffer per thread, reused across searches (see FlatIndex).
std::vector<float>& half_score_buffer(size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer;
}

}  // namespace

void HalfFlatCodes::check(const float* vector, int dim) const {
    for (int i = 0; i < dim; ++i)
        if (!(std::fabs(vector[i]) <= kHalfMax))
            throw Error(ErrorCode::kInvalidField, "flat16 index: vector component outside the float16 range");
}

void HalfFlatCodes::set_row(size_t row, const float* vector) {
    if (row * dim_ == halves_.size()) halves_.resize(halves_.size() + dim_);
    float_to_half(vector, &halves_[row * dim_], dim_);
    max_norm_ = std::max(max_norm_, norm_of(vector, dim_));
}

void HalfFlatCodes::move_row(size_t from, size_t to) {
    std::memcpy(&halves_[to * dim_], &halves_[from * dim_], sizeof(uint16_t) * dim_);
}

void HalfFlatCodes::clear() {
    halves_.clear();
    max_norm_ = 0;
}

void HalfFlatCodes::score(const float* query, size_t begin, size_t end, float* scores) const {
    static const HalfInnerProductFn inner_product = best_half_inner_product();
    for (size_t r = begin; r < end; ++r) scores[r] = inner_product(query, &halves_[r * dim_], dim_);
}

std::optional<std::vector<Neighbor>> HalfFlatCodes::search(const FlatRows& rows, const float* query,
                                                           size_t k) const {
    const size_t n = rows.count;
    std::vector<float>& scores = half_score_buffer(n);
    const size_t threads = code_scan_threads(n);
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back([&, t] { score(query, n * t / threads, n * (t + 1) / threads, scores.data()); });
    score(query, 0, n / threads, scores.data());
    for (auto& h : helpers) h.join();

    // Candidates by float16 score (rows as labels), re-scored exactly.
    thread_local std::vector<uint64_t> row_ids;
    if (row_ids.size() < n) {
        const size_t old = row_ids.size();
        row_ids.resize(n);
        for (size_t r = old; r < n; ++r) row_ids[r] = r;
    }
    TopK candidates(k + kRescoreMargin);
    candidates.push_scores(scores.data(), n, row_ids.data());
    const std::vector<Neighbor> rough = candidates.take_sorted();
    static const InnerProductFn exact_inner_product = best_inner_product();
    TopK top(k);
    for (const Neighbor& c : rough)
        top.push(rows.labels[c.label], exact_inner_product(query, &rows.vectors[c.label * dim_], dim_));
    std::vector<Neighbor> result = top.take_sorted();
    // A row outside the candidates scored at most rough.back() in float16, so at most that plus the
    // float16 error bound (plus float32 summation slack) exactly. If that could reach the k-th result,
    // the float16 pass proved nothing.
    const float bound = kHalfEpsilon * norm_of(query, dim_) * max_norm_ + 1e-5f;
    if (result.back().similarity <= rough.back().similarity + bound) return std::nullopt;
    return result;
}

}  // namespace faceid::index
