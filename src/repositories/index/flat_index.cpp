#include "repositories/index/flat_index.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "repositories/index/half_float.h"
#include "repositories/index/index_file.h"
#include "repositories/index/inner_product.h"
#include "repositories/index/top_k.h"

namespace faceid::index {
namespace {

constexpr uint64_t kFileMagic = 0x31544c4658444946ULL;  // "FIDXFLT1"
constexpr uint32_t kFileVersion = 1;

// Batches are scored in tiles of kBatchQueries x kBatchRows (4 MB of scores), so that a batch against a
// large gallery never needs an n x size score matrix.
constexpr size_t kBatchQueries = 256;
constexpr size_t kBatchRows = 4096;

// kFloat16: rows re-scored in float32 beyond k, and the gallery size from which a single query's float16
// scan is split over all cores (below it, starting a thread costs more than it saves).
constexpr size_t kRescoreMargin = 32;
constexpr size_t kParallelScanRows = 50000;

// kInt8: rows scored per kernel call (the integer scores stay in L1), and the share of the gallery that
// may be re-scored in float32 before the float32 scan is cheaper: re-scoring a row reads 4x its int8
// bytes, at random, so n / 16 candidates cost about as much again as the int8 scan itself.
constexpr size_t kInt8Block = 64;
constexpr size_t kInt8MaxRescoreShare = 16;
// kInt8: relative slack for the float32 rounding of the re-scored (and reference) inner products and of
// the int8 estimate itself: 512 float32 products are off by far less than 1e-5 * |q| * |v|.
constexpr float kInt8Slack = 1e-5f;

float norm_of(const float* v, int dim) {
    double s = 0;
    for (int i = 0; i < dim; ++i) s += double(v[i]) * v[i];
    return float(std::sqrt(s));
}

// One score buffer per thread, reused across searches: allocating size() floats per query would cost a
// page-faulting mmap for every search of a large gallery.
std::vector<float>& score_buffer(size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer;
}

}  // namespace

FlatIndex::FlatIndex(int dim, FlatScan scan)
    : dim_(dim), scan_(scan), code_stride_(dim > 0 ? int8_stride(size_t(dim)) : 0) {
    if (dim <= 0) throw Error(ErrorCode::kInvalidField, "index dimension must be positive");
}

std::string FlatIndex::name() const {
    switch (scan_) {
        case FlatScan::kFloat16:
            return "flat16";
        case FlatScan::kInt8:
            return "flat8";
        default:
            return "flat";
    }
}

void FlatIndex::add(uint64_t label, const float* vector) {
    std::vector<uint16_t> half_row;
    float norm = 0;
    if (scan_ == FlatScan::kFloat16) {
        for (int i = 0; i < dim_; ++i)
            if (!(std::fabs(vector[i]) <= kHalfMax))
                throw Error(ErrorCode::kInvalidField,
                            "flat16 index: vector component outside the float16 range");
        half_row.resize(dim_);
        float_to_half(vector, half_row.data(), dim_);
        norm = norm_of(vector, dim_);
    }
    std::vector<uint8_t> code_row;
    Int8RowInfo code_info;
    if (scan_ == FlatScan::kInt8) {
        for (int i = 0; i < dim_; ++i)
            if (!std::isfinite(vector[i]))
                throw Error(ErrorCode::kInvalidField, "flat8 index: vector component not finite");
        code_row.resize(code_stride_);
        code_info = quantize_int8_row(vector, dim_, code_row.data());
    }
    std::unique_lock lock(mutex_);
    auto [it, inserted] = rows_.try_emplace(label, labels_.size());
    if (inserted) {
        labels_.push_back(label);
        vectors_.insert(vectors_.end(), vector, vector + dim_);
        halves_.insert(halves_.end(), half_row.begin(), half_row.end());
        codes_.insert(codes_.end(), code_row.begin(), code_row.end());
        if (!code_row.empty()) code_info_.push_back(code_info);
    } else {  // re-adding a label replaces its vector
        std::memcpy(&vectors_[it->second * dim_], vector, sizeof(float) * dim_);
        if (!half_row.empty())
            std::memcpy(&halves_[it->second * dim_], half_row.data(), sizeof(uint16_t) * dim_);
        if (!code_row.empty()) {
            std::memcpy(&codes_[it->second * code_stride_], code_row.data(), code_stride_);
            code_info_[it->second] = code_info;
        }
    }
    max_norm_ = std::max(max_norm_, norm);
}

void FlatIndex::add_batch(const uint64_t* labels, const float* vectors, size_t n) {
    {
        std::unique_lock lock(mutex_);
        const size_t needed = labels_.size() + n;
        if (needed > labels_.capacity()) {
            // Exactly what an empty index needs; growth by half otherwise (repeated batches stay linear).
            const size_t rows = std::max(needed, labels_.capacity() + labels_.capacity() / 2);
            labels_.reserve(rows);
            vectors_.reserve(rows * dim_);
            if (scan_ == FlatScan::kFloat16) halves_.reserve(rows * dim_);
            if (scan_ == FlatScan::kInt8) {
                codes_.reserve(rows * code_stride_);
                code_info_.reserve(rows);
            }
            rows_.reserve(rows);
        }
    }
    VectorIndex::add_batch(labels, vectors, n);
}

bool FlatIndex::remove(uint64_t label) {
    std::unique_lock lock(mutex_);
    auto it = rows_.find(label);
    if (it == rows_.end()) return false;
    const size_t hole = it->second, last = labels_.size() - 1;
    rows_.erase(it);
    if (hole != last) {  // move the last row into the hole: O(dim), no rebuild
        std::memcpy(&vectors_[hole * dim_], &vectors_[last * dim_], sizeof(float) * dim_);
        if (!halves_.empty())
            std::memcpy(&halves_[hole * dim_], &halves_[last * dim_], sizeof(uint16_t) * dim_);
        if (!codes_.empty()) {
            std::memcpy(&codes_[hole * code_stride_], &codes_[last * code_stride_], code_stride_);
            code_info_[hole] = code_info_[last];
        }
        labels_[hole] = labels_[last];
        rows_[labels_[hole]] = hole;
    }
    labels_.pop_back();
    vectors_.resize(last * dim_);
    if (!halves_.empty()) halves_.resize(last * dim_);
    if (!codes_.empty()) {
        codes_.resize(last * code_stride_);
        code_info_.pop_back();
    }
    return true;
}

std::vector<Neighbor> FlatIndex::search(const float* query, int k) const {
    std::shared_lock lock(mutex_);
    const size_t n = labels_.size();
    if (k <= 0 || n == 0) return {};
    if (scan_ == FlatScan::kFloat16 && n > size_t(k) + kRescoreMargin) return search_half(query, k);
    if (scan_ == FlatScan::kInt8 && n > size_t(k) + kRescoreMargin) return search_int8(query, k);
    return search_float(query, k);
}

std::vector<Neighbor> FlatIndex::search_float(const float* query, size_t k) const {
    const size_t n = labels_.size();
    std::vector<float>& scores = score_buffer(n);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, int(n), dim_, 1.0f, vectors_.data(), dim_, query, 1, 0.0f,
                scores.data(), 1);
    TopK top(std::min(k, n));
    top.push_scores(scores.data(), n, labels_.data());
    return top.take_sorted();
}

void FlatIndex::score_half(const float* query, size_t begin, size_t end, float* scores) const {
    static const HalfInnerProductFn inner_product = best_half_inner_product();
    for (size_t r = begin; r < end; ++r) scores[r] = inner_product(query, &halves_[r * dim_], dim_);
}

std::vector<Neighbor> FlatIndex::search_half(const float* query, size_t k) const {
    const size_t n = labels_.size();
    std::vector<float>& scores = score_buffer(n);
    const size_t threads = n >= kParallelScanRows ? std::max(1u, std::thread::hardware_concurrency()) : 1;
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(
            [&, t] { score_half(query, n * t / threads, n * (t + 1) / threads, scores.data()); });
    score_half(query, 0, n / threads, scores.data());
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
        top.push(labels_[c.label], exact_inner_product(query, &vectors_[c.label * dim_], dim_));
    std::vector<Neighbor> result = top.take_sorted();
    // A row outside the candidates scored at most rough.back() in float16, so at most that plus the
    // float16 error bound (plus float32 summation slack) exactly. If that could reach the k-th result,
    // the float16 pass proved nothing: scan in float32.
    const float bound = kHalfEpsilon * norm_of(query, dim_) * max_norm_ + 1e-5f;
    if (result.back().similarity <= rough.back().similarity + bound) {
        fallbacks_.fetch_add(1, std::memory_order_relaxed);
        return search_float(query, k);
    }
    return result;
}

// One thread's share of an int8 scan: the k best lower bounds it saw, and every row whose upper bound
// reached the k-th best lower bound at the time it was scanned (a superset of the rows whose upper bound
// reaches the final, global k-th lower bound, since that only ever rises).
struct FlatIndex::Int8Scan {
    explicit Int8Scan(size_t k) : lower(k) {}
    TopK lower;                                  // labels are rows
    std::vector<std::pair<size_t, float>> rows;  // (row, upper bound)
};

void FlatIndex::scan_int8(const int8_t* query_codes, const Int8Query& query, size_t begin, size_t end,
                          Int8Scan& scan) const {
    static const Int8DotRowsFn dot_rows = best_int8_dot_rows();
    int32_t dots[kInt8Block];
    float bar = scan.lower.threshold();
    for (size_t b = begin; b < end; b += kInt8Block) {
        const size_t count = std::min(kInt8Block, end - b);
        dot_rows(query_codes, query.code_sum, &codes_[b * code_stride_], count, code_stride_, dots);
        for (size_t j = 0; j < count; ++j) {
            const Int8RowInfo& row = code_info_[b + j];
            const float estimate = query.scale * row.scale * float(dots[j]);
            const float error = query.norm * row.residual_norm + query.residual_norm * row.quantized_norm +
                                kInt8Slack * query.norm * (row.quantized_norm + row.residual_norm);
            if (estimate - error >= bar) {
                scan.lower.push(b + j, estimate - error);
                bar = scan.lower.threshold();
            }
            if (estimate + error >= bar) scan.rows.emplace_back(b + j, estimate + error);
        }
    }
}

std::vector<Neighbor> FlatIndex::search_int8(const float* query, size_t k) const {
    const size_t n = labels_.size();
    thread_local std::vector<int8_t> query_buffer;
    query_buffer.resize(code_stride_);
    // A plain pointer for the helper threads: inside their lambdas the name query_buffer would mean
    // their own (empty) thread_local.
    const int8_t* query_codes = query_buffer.data();
    const Int8Query quantized = quantize_int8_query(query, dim_, query_buffer.data());

    const size_t threads = n >= kParallelScanRows ? std::max(1u, std::thread::hardware_concurrency()) : 1;
    std::vector<Int8Scan> scans(threads, Int8Scan(k));
    std::vector<std::thread> helpers;
    // Thread t scans rows [n * t / threads, n * (t + 1) / threads).
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(
            [&, t] { scan_int8(query_codes, quantized, n * t / threads, n * (t + 1) / threads, scans[t]); });
    scan_int8(query_codes, quantized, 0, n / threads, scans[0]);
    for (auto& h : helpers) h.join();

    // At least k rows score >= the k-th best lower bound, so a row whose upper bound is below it cannot
    // be among the top k: the candidates are the rows whose upper bound reaches it.
    TopK lower(k);
    for (Int8Scan& scan : scans)
        for (const Neighbor& bound : scan.lower.take_sorted()) lower.push(bound.label, bound.similarity);
    const float bar = lower.threshold();
    thread_local std::vector<size_t> candidates;
    candidates.clear();
    for (const Int8Scan& scan : scans)
        for (const auto& [row, upper] : scan.rows)
            if (upper >= bar) candidates.push_back(row);
    // Near-ties everywhere (int8 cannot tell the rows apart): re-scoring them all would cost more than
    // the float32 scan.
    if (candidates.size() > std::max(k + kRescoreMargin, n / kInt8MaxRescoreShare)) {
        fallbacks_.fetch_add(1, std::memory_order_relaxed);
        return search_float(query, k);
    }
    static const InnerProductFn exact_inner_product = best_inner_product();
    TopK top(k);
    for (size_t row : candidates)
        top.push(labels_[row], exact_inner_product(query, &vectors_[row * dim_], dim_));
    return top.take_sorted();
}

std::vector<std::vector<Neighbor>> FlatIndex::search_batch(const float* queries, int n, int k) const {
    if (n <= 0) return {};
    if (n == 1) return {search(queries, k)};
    std::shared_lock lock(mutex_);
    const size_t rows = labels_.size();
    std::vector<std::vector<Neighbor>> results(n);
    if (k <= 0 || rows == 0) return results;
    std::vector<float>& scores = score_buffer(kBatchQueries * kBatchRows);
    for (size_t q0 = 0; q0 < size_t(n); q0 += kBatchQueries) {
        const size_t nq = std::min(kBatchQueries, size_t(n) - q0);
        std::vector<TopK> tops(nq, TopK(std::min<size_t>(k, rows)));
        for (size_t r0 = 0; r0 < rows; r0 += kBatchRows) {
            const size_t nr = std::min(kBatchRows, rows - r0);
            // scores[q][r] = queries[q0 + q] . vectors[r0 + r]
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(nq), int(nr), dim_, 1.0f,
                        queries + q0 * dim_, dim_, &vectors_[r0 * dim_], dim_, 0.0f, scores.data(), int(nr));
            for (size_t q = 0; q < nq; ++q) tops[q].push_scores(&scores[q * nr], nr, &labels_[r0]);
        }
        for (size_t q = 0; q < nq; ++q) results[q0 + q] = tops[q].take_sorted();
    }
    return results;
}

size_t FlatIndex::size() const {
    std::shared_lock lock(mutex_);
    return labels_.size();
}

size_t FlatIndex::memory_bytes() const {
    std::shared_lock lock(mutex_);
    // Vectors and row labels, plus the hash map: its bucket array and one node (next pointer, key,
    // value, cached hash) per entry.
    return vectors_.capacity() * sizeof(float) + halves_.capacity() * sizeof(uint16_t) + codes_.capacity() +
           code_info_.capacity() * sizeof(Int8RowInfo) + labels_.capacity() * sizeof(uint64_t) +
           rows_.bucket_count() * sizeof(void*) + rows_.size() * 4 * sizeof(uint64_t);
}

void FlatIndex::for_each(const std::function<void(uint64_t, const float*)>& visit) const {
    std::shared_lock lock(mutex_);
    for (size_t r = 0; r < labels_.size(); ++r) visit(labels_[r], &vectors_[r * dim_]);
}

void FlatIndex::save(const std::filesystem::path& path) const {
    std::shared_lock lock(mutex_);
    IndexFileWriter file(path);
    file.write_pod(kFileMagic);
    file.write_pod(kFileVersion);
    file.write_pod(uint32_t(dim_));
    file.write_pod(uint64_t(labels_.size()));
    file.write(labels_.data(), labels_.size() * sizeof(uint64_t));
    file.write(vectors_.data(), labels_.size() * dim_ * sizeof(float));
    file.commit();
}

bool FlatIndex::is_flat_file(const std::filesystem::path& path) {
    IndexFileReader file(path);
    return file.remaining() >= sizeof(kFileMagic) && file.read_pod<uint64_t>() == kFileMagic;
}

void FlatIndex::load(const std::filesystem::path& path) {
    IndexFileReader file(path);
    if (file.read_pod<uint64_t>() != kFileMagic) file.fail("not a flat index file");
    if (file.read_pod<uint32_t>() != kFileVersion) file.fail("unsupported version");
    if (file.read_pod<uint32_t>() != uint32_t(dim_)) file.fail("dimension differs from the index's");
    const uint64_t count = file.read_pod<uint64_t>();
    if (count > file.remaining() / (sizeof(uint64_t) + dim_ * sizeof(float))) file.fail("truncated");
    std::vector<uint64_t> labels(count);
    std::vector<float> vectors(count * dim_);
    file.read(labels.data(), count * sizeof(uint64_t));
    file.read(vectors.data(), count * dim_ * sizeof(float));
    file.expect_end();
    std::unordered_map<uint64_t, size_t> rows;
    rows.reserve(count);
    for (size_t r = 0; r < count; ++r)
        if (!rows.emplace(labels[r], r).second) file.fail("duplicate label");

    std::vector<uint16_t> halves;
    float max_norm = 0;
    if (scan_ == FlatScan::kFloat16) {
        for (float x : vectors)
            if (!(std::fabs(x) <= kHalfMax)) file.fail("vector component outside the float16 range");
        halves.resize(vectors.size());
        float_to_half(vectors.data(), halves.data(), vectors.size());
        for (size_t r = 0; r < count; ++r) max_norm = std::max(max_norm, norm_of(&vectors[r * dim_], dim_));
    }

    std::vector<uint8_t> codes;
    std::vector<Int8RowInfo> code_info;
    if (scan_ == FlatScan::kInt8) {
        for (float x : vectors)
            if (!std::isfinite(x)) file.fail("vector component not finite");
        codes.resize(count * code_stride_);
        code_info.resize(count);
        for (size_t r = 0; r < count; ++r)
            code_info[r] = quantize_int8_row(&vectors[r * dim_], dim_, &codes[r * code_stride_]);
    }

    std::unique_lock lock(mutex_);
    labels_ = std::move(labels);
    vectors_ = std::move(vectors);
    rows_ = std::move(rows);
    halves_ = std::move(halves);
    max_norm_ = max_norm;
    codes_ = std::move(codes);
    code_info_ = std::move(code_info);
}

}  // namespace faceid::index
