#include "repositories/index/flat_index.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "repositories/index/half_flat_codes.h"
#include "repositories/index/index_file.h"
#include "repositories/index/int8_flat_codes.h"
#include "repositories/index/top_k.h"

namespace faceid::index {
namespace {

constexpr uint64_t kFileMagic = 0x31544c4658444946ULL;  // "FIDXFLT1"
constexpr uint32_t kFileVersion = 1;

// Batches are scored in tiles of kBatchQueries x kBatchRows (4 MB of scores), so that a batch against a
// large gallery never needs an n x size score matrix.
constexpr size_t kBatchQueries = 256;
constexpr size_t kBatchRows = 4096;

// One score buffer per thread, reused across searches: allocating size() floats per query would cost a
// page-faulting mmap for every search of a large gallery.
std::vector<float>& score_buffer(size_t n) {
    thread_local std::vector<float> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer;
}

}  // namespace

std::unique_ptr<FlatCodes> make_flat_codes(FlatScan scan, int dim) {
    switch (scan) {
        case FlatScan::kFloat16:
            return std::make_unique<HalfFlatCodes>(dim);
        case FlatScan::kInt8:
            return std::make_unique<Int8FlatCodes>(dim);
        default:
            return nullptr;
    }
}

FlatIndex::FlatIndex(int dim, FlatScan scan)
    : FlatIndex(dim, dim > 0 ? make_flat_codes(scan, dim) : nullptr) {}

FlatIndex::FlatIndex(int dim, std::unique_ptr<FlatCodes> codes) : dim_(dim), codes_(std::move(codes)) {
    if (dim <= 0) throw Error(ErrorCode::kInvalidField, "index dimension must be positive");
}

std::string FlatIndex::name() const {
    return codes_ ? codes_->kind() : "flat";
}

void FlatIndex::add(uint64_t label, const float* vector) {
    if (codes_) codes_->check(vector, dim_);
    std::unique_lock lock(mutex_);
    auto [it, inserted] = rows_.try_emplace(label, labels_.size());
    if (inserted) {
        labels_.push_back(label);
        vectors_.insert(vectors_.end(), vector, vector + dim_);
    } else {  // re-adding a label replaces its vector
        std::memcpy(&vectors_[it->second * dim_], vector, sizeof(float) * dim_);
    }
    if (codes_) codes_->set_row(it->second, vector);
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
            if (codes_) codes_->reserve(rows);
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
        if (codes_) codes_->move_row(last, hole);
        labels_[hole] = labels_[last];
        rows_[labels_[hole]] = hole;
    }
    labels_.pop_back();
    vectors_.resize(last * dim_);
    if (codes_) codes_->pop_row();
    return true;
}

std::vector<Neighbor> FlatIndex::search(const float* query, int k) const {
    std::shared_lock lock(mutex_);
    const size_t n = labels_.size();
    if (k <= 0 || n == 0) return {};
    if (codes_ && n > size_t(k) + kRescoreMargin) {
        if (auto exact = codes_->search(rows_view(), query, size_t(k))) return std::move(*exact);
        fallbacks_.fetch_add(1, std::memory_order_relaxed);
    }
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
    return vectors_.capacity() * sizeof(float) + (codes_ ? codes_->memory_bytes() : 0) +
           labels_.capacity() * sizeof(uint64_t) + rows_.bucket_count() * sizeof(void*) +
           rows_.size() * 4 * sizeof(uint64_t);
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

    if (codes_)
        for (size_t r = 0; r < count; ++r) try {
                codes_->check(&vectors[r * dim_], dim_);
            } catch (const Error& error) {
                file.fail(error.what());
            }

    std::unique_lock lock(mutex_);
    labels_ = std::move(labels);
    vectors_ = std::move(vectors);
    rows_ = std::move(rows);
    if (codes_) {
        codes_->clear();
        codes_->reserve(count);
        for (size_t r = 0; r < count; ++r) codes_->set_row(r, &vectors_[r * dim_]);
    }
}

}  // namespace faceid::index
