#include "repositories/index/int8_flat_codes.h"

#include "core/error.h"
#include "repositories/index/inner_product.h"
#include "repositories/index/top_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>

namespace faceid::index {
namespace {

// Rows scored per kernel call (the integer scores stay in L1), and the share of the gallery that may be
// re-scored in float32 before the float32 scan is cheaper: re-scoring a row reads 4x its int8 bytes, at
// random, so n / 16 candidates cost about as much again as the int8 scan itself.
constexpr size_t kInt8Block = 64;
constexpr size_t kInt8MaxRescoreShare = 16;
// Relative slack for the float32 rounding of the re-scored (and reference) inner products and of the
// int8 estimate itself: 512 float32 products are off by far less than 1e-5 * |q| * |v|.
constexpr float kInt8Slack = 1e-5f;

}  // namespace

// One thread's share of a scan: the k best lower bounds it saw, and every row whose upper bound reached
// the k-th best lower bound at the time it was scanned (a superset of the rows whose upper bound reaches
// the final, global k-th lower bound, since that only ever rises).
struct Int8FlatCodes::Scan {
    explicit Scan(size_t k) : lower(k) {}
    TopK lower;                                  // labels are rows
    std::vector<std::pair<size_t, float>> rows;  // (row, upper bound)
};

void Int8FlatCodes::check(const float* vector, int dim) const {
    for (int i = 0; i < dim; ++i)
        if (!std::isfinite(vector[i]))
            throw Error(ErrorCode::kInvalidField, "flat8 index: vector component not finite");
}

void Int8FlatCodes::reserve(size_t rows) {
    codes_.reserve(rows * stride_);
    info_.reserve(rows);
}

void Int8FlatCodes::set_row(size_t row, const float* vector) {
    if (row == info_.size()) {
        codes_.resize(codes_.size() + stride_);
        info_.emplace_back();
    }
    info_[row] = quantize_int8_row(vector, size_t(dim_), &codes_[row * stride_]);
}

void Int8FlatCodes::move_row(size_t from, size_t to) {
    std::memcpy(&codes_[to * stride_], &codes_[from * stride_], stride_);
    info_[to] = info_[from];
}

void Int8FlatCodes::pop_row() {
    codes_.resize(codes_.size() - stride_);
    info_.pop_back();
}

void Int8FlatCodes::clear() {
    codes_.clear();
    info_.clear();
}

void Int8FlatCodes::scan(const int8_t* query_codes, const Int8Query& query, size_t begin, size_t end,
                         Scan& out) const {
    static const Int8DotRowsFn dot_rows = best_int8_dot_rows();
    int32_t dots[kInt8Block];
    float bar = out.lower.threshold();
    for (size_t b = begin; b < end; b += kInt8Block) {
        const size_t count = std::min(kInt8Block, end - b);
        dot_rows(query_codes, query.code_sum, &codes_[b * stride_], count, stride_, dots);
        for (size_t j = 0; j < count; ++j) {
            const Int8RowInfo& row = info_[b + j];
            const float estimate = query.scale * row.scale * float(dots[j]);
            const float error = query.norm * row.residual_norm + query.residual_norm * row.quantized_norm +
                                kInt8Slack * query.norm * (row.quantized_norm + row.residual_norm);
            if (estimate - error >= bar) {
                out.lower.push(b + j, estimate - error);
                bar = out.lower.threshold();
            }
            if (estimate + error >= bar) out.rows.emplace_back(b + j, estimate + error);
        }
    }
}

std::optional<std::vector<Neighbor>> Int8FlatCodes::search(const FlatRows& rows, const float* query,
                                                           size_t k) const {
    const size_t n = rows.count;
    thread_local std::vector<int8_t> query_buffer;
    query_buffer.resize(stride_);
    // A plain pointer for the helper threads: inside their lambdas the name query_buffer would mean
    // their own (empty) thread_local.
    const int8_t* query_codes = query_buffer.data();
    const Int8Query quantized = quantize_int8_query(query, size_t(dim_), query_buffer.data());

    const size_t threads = code_scan_threads(n);
    std::vector<Scan> scans(threads, Scan(k));
    std::vector<std::thread> helpers;
    // Thread t scans rows [n * t / threads, n * (t + 1) / threads).
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(
            [&, t] { scan(query_codes, quantized, n * t / threads, n * (t + 1) / threads, scans[t]); });
    scan(query_codes, quantized, 0, n / threads, scans[0]);
    for (auto& h : helpers) h.join();

    // At least k rows score >= the k-th best lower bound, so a row whose upper bound is below it cannot
    // be among the top k: the candidates are the rows whose upper bound reaches it.
    TopK lower(k);
    for (Scan& s : scans)
        for (const Neighbor& bound : s.lower.take_sorted()) lower.push(bound.label, bound.similarity);
    const float bar = lower.threshold();
    thread_local std::vector<size_t> candidates;
    candidates.clear();
    for (const Scan& s : scans)
        for (const auto& [row, upper] : s.rows)
            if (upper >= bar) candidates.push_back(row);
    // Near-ties everywhere (int8 cannot tell the rows apart): re-scoring them all would cost more than
    // the float32 scan.
    if (candidates.size() > std::max(k + kRescoreMargin, n / kInt8MaxRescoreShare)) return std::nullopt;
    static const InnerProductFn exact_inner_product = best_inner_product();
    TopK top(k);
    for (size_t row : candidates)
        top.push(rows.labels[row], exact_inner_product(query, &rows.vectors[row * dim_], dim_));
    return top.take_sorted();
}

}  // namespace faceid::index
