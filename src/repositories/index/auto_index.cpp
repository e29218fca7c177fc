#include "repositories/index/auto_index.h"

#include <fstream>
#include <mutex>

#include "core/error.h"
#include "repositories/index/flat_index.h"

namespace faceid::index {

AutoIndex::AutoIndex(int dim, size_t threshold, HnswParams hnsw_params)
    : dim_(dim),
      threshold_(threshold),
      hnsw_params_(hnsw_params),
      active_(std::make_unique<FlatIndex>(dim, FlatScan::kInt8)) {}

void AutoIndex::add(uint64_t label, const float* vector) {
    bool large;
    {
        std::shared_lock lock(mutex_);
        active_->add(label, vector);
        large = !approximate_ && active_->size() > threshold_;
    }
    if (large) switch_to_hnsw_if_large();
}

void AutoIndex::add_batch(const uint64_t* labels, const float* vectors, size_t n) {
    bool large;
    {
        std::shared_lock lock(mutex_);
        active_->add_batch(labels, vectors, n);
        large = !approximate_ && active_->size() > threshold_;
    }
    if (large) switch_to_hnsw_if_large();
}

void AutoIndex::switch_to_hnsw_if_large() {
    std::unique_lock lock(mutex_);
    if (approximate_ || active_->size() <= threshold_) return;  // another writer got here first
    const auto& flat = static_cast<const FlatIndex&>(*active_);
    HnswParams params = hnsw_params_;
    params.initial_capacity = std::max(params.initial_capacity, flat.size() + flat.size() / 8);
    auto hnsw = std::make_unique<HnswIndex>(dim_, params);
    std::vector<uint64_t> labels;
    std::vector<float> vectors;
    labels.reserve(flat.size());
    vectors.reserve(flat.size() * dim_);
    flat.for_each([&](uint64_t label, const float* vector) {
        labels.push_back(label);
        vectors.insert(vectors.end(), vector, vector + dim_);
    });
    hnsw->add_batch(labels.data(), vectors.data(), labels.size());
    active_ = std::move(hnsw);
    approximate_ = true;
}

bool AutoIndex::remove(uint64_t label) {
    std::shared_lock lock(mutex_);
    return active_->remove(label);
}

std::vector<Neighbor> AutoIndex::search(const float* query, int k) const {
    std::shared_lock lock(mutex_);
    return active_->search(query, k);
}

std::vector<std::vector<Neighbor>> AutoIndex::search_batch(const float* queries, int n, int k) const {
    std::shared_lock lock(mutex_);
    return active_->search_batch(queries, n, k);
}

size_t AutoIndex::size() const {
    std::shared_lock lock(mutex_);
    return active_->size();
}

size_t AutoIndex::memory_bytes() const {
    std::shared_lock lock(mutex_);
    return active_->memory_bytes();
}

std::string AutoIndex::name() const {
    std::shared_lock lock(mutex_);
    return "auto:" + active_->name();
}

bool AutoIndex::is_approximate() const {
    std::shared_lock lock(mutex_);
    return approximate_;
}

void AutoIndex::save(const std::filesystem::path& path) const {
    std::shared_lock lock(mutex_);
    active_->save(path);
}

void AutoIndex::load(const std::filesystem::path& path) {
    const bool approximate = !FlatIndex::is_flat_file(path);
    std::unique_ptr<VectorIndex> loaded;
    if (approximate)
        loaded = std::make_unique<HnswIndex>(dim_, hnsw_params_);
    else
        loaded = std::make_unique<FlatIndex>(dim_, FlatScan::kInt8);
    loaded->load(path);
    {
        std::unique_lock lock(mutex_);
        active_ = std::move(loaded);
        approximate_ = approximate;
    }
    switch_to_hnsw_if_large();
}

}  // namespace faceid::index
