#include "repositories/index/hnsw_index.h"

// hnswlib 0.6.2 defines non-inline globals in its headers: it can be included by this one source file
// only (a second includer fails to link).
// Its search loops prefetch the neighbour after the last one, reading up to 4 bytes past an upper-layer
// link list: harmless (the value only forms a prefetch address, and the read stays in the malloc block
// in practice) but reported by AddressSanitizer. Sanitizer builds compile the prefetches out; the
// distance kernels are ours either way.
#if defined(__SANITIZE_ADDRESS__)
#define NO_MANUAL_VECTORIZATION
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/error.h"
#include "repositories/index/index_file.h"
#include "repositories/index/inner_product.h"
#include "repositories/index/top_k.h"

namespace faceid::index {

// hnswlib's inner-product space with our run-time dispatched kernel (inner_product.h): distance is
// 1 - <a, b>, so the smallest distance is the most similar vector.
class InnerProductSpace : public hnswlib::SpaceInterface<float> {
  public:
    explicit InnerProductSpace(size_t dim) : dim_(dim) {}

    size_t get_data_size() override { return dim_ * sizeof(float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return &distance; }
    void* get_dist_func_param() override { return &dim_; }

  private:
    static float distance(const void* a, const void* b, const void* dim);

    size_t dim_;
};

float InnerProductSpace::distance(const void* a, const void* b, const void* dim) {
    static const InnerProductFn inner_product = best_inner_product();
    return 1.0f - inner_product(static_cast<const float*>(a), static_cast<const float*>(b),
                                *static_cast<const size_t*>(dim));
}

namespace {

using hnswlib::labeltype;
using hnswlib::tableint;

void check_params(int dim, const HnswParams& params) {
    if (dim <= 0) throw Error(ErrorCode::kInvalidField, "index dimension must be positive");
    if (params.m < 2 || params.m > 256) throw Error(ErrorCode::kInvalidField, "hnsw m must be in 2..256");
    if (params.ef_construction < 1 || params.ef_search < 1)
        throw Error(ErrorCode::kInvalidField, "hnsw ef_construction and ef_search must be positive");
}

// The header fields hnswlib's saveIndex writes first, in its order, read back to validate a file before
// handing it to loadIndex (which trusts them and would index out of bounds on a foreign file).
struct GraphHeader {
    size_t offset_level0, max_elements, count, size_data_per_element, label_offset, offset_data;
    int max_level;
    tableint enter_point;
    size_t max_m, max_m0, m;
    double mult;
    size_t ef_construction;
};

GraphHeader read_header(const std::filesystem::path& path) {
    IndexFileReader file(path);
    GraphHeader h{};
    h.offset_level0 = file.read_pod<size_t>();
    h.max_elements = file.read_pod<size_t>();
    h.count = file.read_pod<size_t>();
    h.size_data_per_element = file.read_pod<size_t>();
    h.label_offset = file.read_pod<size_t>();
    h.offset_data = file.read_pod<size_t>();
    h.max_level = file.read_pod<int>();
    h.enter_point = file.read_pod<tableint>();
    h.max_m = file.read_pod<size_t>();
    h.max_m0 = file.read_pod<size_t>();
    h.m = file.read_pod<size_t>();
    h.mult = file.read_pod<double>();
    h.ef_construction = file.read_pod<size_t>();
    return h;
}

void validate_header(const GraphHeader& h, int dim, const std::filesystem::path& path) {
    const size_t links0 = h.max_m0 * sizeof(tableint) + sizeof(unsigned);
    const bool ok = h.offset_level0 == 0 && h.m >= 2 && h.m <= 256 && h.max_m == h.m && h.max_m0 == 2 * h.m &&
                    h.offset_data == links0 && h.label_offset == links0 + dim * sizeof(float) &&
                    h.size_data_per_element == h.label_offset + sizeof(labeltype) &&
                    h.count <= h.max_elements && h.max_elements < (size_t(1) << 32) && h.max_level >= -1 &&
                    h.max_level < 64 && (h.count == 0 || h.enter_point < h.count);
    if (!ok)
        throw Error(
            ErrorCode::kStorageError,
            "index file " + path.string() + " is not an hnsw index of dimension " + std::to_string(dim));
}

}  // namespace

HnswIndex::HnswIndex(int dim, HnswParams params)
    : dim_(dim),
      params_((check_params(dim, params), params)),
      space_(std::make_unique<InnerProductSpace>(dim)) {
    graph_ = std::make_unique<Graph>(space_.get(), std::max<size_t>(params_.initial_capacity, 1), params_.m,
                                     params_.ef_construction, params_.seed);
    graph_->setEf(params_.ef_search);
}

HnswIndex::~HnswIndex() = default;

void HnswIndex::grow_if_full() {
    if (graph_->cur_element_count < graph_->max_elements_) return;
    const size_t capacity = graph_->max_elements_;
    graph_->resizeIndex(capacity + std::max<size_t>(capacity / 8, 1024));
}

bool HnswIndex::update_or_reuse_locked(uint64_t label, const float* vector) {
    Graph& g = *graph_;
    if (auto it = g.label_lookup_.find(label); it != g.label_lookup_.end()) {
        // Known label (live or deleted and not yet reused): hnswlib updates the node in place.
        if (g.isMarkedDeleted(it->second)) ++live_;
        g.addPoint(vector, label);
        return true;
    }
    while (!deleted_slots_.empty()) {
        const tableint slot = deleted_slots_.back();
        deleted_slots_.pop_back();
        if (!g.isMarkedDeleted(slot)) continue;  // stale: its label was re-added
        // Reuse the deleted node for the new label: relabel it, then let hnswlib move it to the new
        // vector and repair its links (what hnswlib >= 0.7 does for replace_deleted=true; Debian has 0.6.2).
        const labeltype old_label = g.getExternalLabel(slot);
        g.label_lookup_.erase(old_label);
        g.label_lookup_[label] = slot;
        std::memcpy(g.getExternalLabeLp(slot), &label, sizeof(labeltype));
        g.unmarkDeletedInternal(slot);
        g.updatePoint(vector, slot, 1.0f);
        ++live_;
        return true;
    }
    return false;
}

void HnswIndex::add(uint64_t label, const float* vector) {
    std::unique_lock lock(mutex_);
    if (update_or_reuse_locked(label, vector)) return;
    grow_if_full();
    graph_->addPoint(vector, label);
    ++live_;
}

void HnswIndex::add_batch(const uint64_t* labels, const float* vectors, size_t n) {
    std::unique_lock lock(mutex_);
    // The last occurrence of a label in the batch wins, as with add() one after another.
    std::unordered_map<uint64_t, size_t> last;
    last.reserve(n);
    for (size_t i = 0; i < n; ++i) last[labels[i]] = i;
    std::vector<size_t> fresh;  // rows that need a new node
    for (size_t i = 0; i < n; ++i)
        if (last[labels[i]] == i && !update_or_reuse_locked(labels[i], vectors + i * dim_))
            fresh.push_back(i);
    if (fresh.empty()) return;
    Graph& g = *graph_;
    if (g.cur_element_count + fresh.size() > g.max_elements_) {
        const size_t needed = g.cur_element_count + fresh.size();
        g.resizeIndex(needed + std::max<size_t>(needed / 32, 1024));  // a bulk load: little slack
    }
    const size_t threads =
        std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), fresh.size() / 256 + 1);
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
        try {
            for (size_t j; (j = next.fetch_add(1)) < fresh.size();)
                g.addPoint(vectors + fresh[j] * dim_, labels[fresh[j]]);
        } catch (...) {
            std::lock_guard guard(error_mutex);
            error = std::current_exception();
            next = fresh.size();
        }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    live_ = g.cur_element_count - g.num_deleted_;
    if (error) std::rethrow_exception(error);
}

bool HnswIndex::remove(uint64_t label) {
    std::unique_lock lock(mutex_);
    Graph& g = *graph_;
    auto it = g.label_lookup_.find(label);
    if (it == g.label_lookup_.end() || g.isMarkedDeleted(it->second)) return false;
    g.markDeletedInternal(it->second);
    deleted_slots_.push_back(it->second);
    --live_;
    return true;
}

std::vector<Neighbor> HnswIndex::search(const float* query, int k) const {
    std::shared_lock lock(mutex_);
    if (k <= 0 || live_ == 0) return {};
    auto found = graph_->searchKnn(query, std::min<size_t>(k, live_));
    std::vector<Neighbor> result;
    result.reserve(found.size());
    for (; !found.empty(); found.pop()) result.push_back({found.top().second, 1.0f - found.top().first});
    std::sort(result.begin(), result.end(), TopK::better);
    return result;
}

size_t HnswIndex::size() const {
    std::shared_lock lock(mutex_);
    return live_;
}

size_t HnswIndex::capacity() const {
    std::shared_lock lock(mutex_);
    return graph_->max_elements_;
}

size_t HnswIndex::memory_bytes() const {
    std::shared_lock lock(mutex_);
    const Graph& g = *graph_;
    size_t upper_links = 0;
    for (size_t i = 0; i < g.cur_element_count; ++i)
        upper_links += g.element_levels_[i] * g.size_links_per_element_;
    // Per slot: layer-0 block (links + vector + label), its lock, its level and upper-link pointer, and one
    // visited-list entry (unsigned short) for a search in flight. Per label: a hash node and bucket.
    return g.max_elements_ * (g.size_data_per_element_ + sizeof(std::mutex) + sizeof(int) + sizeof(void*) +
                              sizeof(unsigned short)) +
           upper_links + g.link_list_update_locks_.size() * sizeof(std::mutex) +
           g.label_lookup_.bucket_count() * sizeof(void*) + g.label_lookup_.size() * 4 * sizeof(uint64_t) +
           deleted_slots_.capacity() * sizeof(unsigned);
}

void HnswIndex::set_ef_search(int ef_search) {
    if (ef_search < 1) throw Error(ErrorCode::kInvalidField, "hnsw ef_search must be positive");
    std::unique_lock lock(mutex_);
    params_.ef_search = ef_search;
    graph_->setEf(ef_search);
}

void HnswIndex::save(const std::filesystem::path& path) const {
    std::shared_lock lock(mutex_);
    const Graph& g = *graph_;
    // hnswlib writes through an unchecked ofstream: check the size it should have written (header,
    // layer 0, then per node a length and its upper links) before the file replaces the old one.
    uint64_t expected = sizeof(GraphHeader::offset_level0) * 6 + sizeof(int) + sizeof(tableint) +
                        3 * sizeof(size_t) + sizeof(double) + sizeof(size_t) +
                        g.cur_element_count * g.size_data_per_element_;
    for (size_t i = 0; i < g.cur_element_count; ++i)
        expected += sizeof(unsigned) + g.element_levels_[i] * g.size_links_per_element_;
    const std::filesystem::path temp = temporary_path_for(path);
    std::error_code error;
    graph_->saveIndex(temp.string());
    if (std::filesystem::file_size(temp, error) != expected || error) {
        std::filesystem::remove(temp, error);
        throw Error(ErrorCode::kStorageError, "cannot write index file " + path.string());
    }
    replace_file(temp, path);
}

void HnswIndex::load(const std::filesystem::path& path) {
    const GraphHeader header = read_header(path);
    validate_header(header, dim_, path);
    auto space = std::make_unique<InnerProductSpace>(dim_);
    // hnswlib 0.6.2's loading constructor leaves num_deleted_ (and the pointers its destructor frees)
    // uninitialised; set them before loadIndex so that a failed load is destroyed safely.
    auto graph = std::make_unique<Graph>(space.get());
    graph->num_deleted_ = 0;
    graph->cur_element_count = 0;
    graph->data_level0_memory_ = nullptr;
    graph->linkLists_ = nullptr;
    graph->visited_list_pool_ = nullptr;
    graph->metric_hops = 0;
    graph->metric_distance_computations = 0;
    try {
        graph->loadIndex(path.string(), space.get());
    } catch (const std::exception& e) {
        if (graph->element_levels_.size() < graph->cur_element_count) graph->cur_element_count = 0;
        throw Error(ErrorCode::kStorageError, "cannot load hnsw index " + path.string() + ": " + e.what());
    }
    if (graph->M_ != size_t(params_.m)) params_.m = int(graph->M_);  // the graph's own M wins
    params_.ef_construction = int(graph->ef_construction_);
    graph->setEf(params_.ef_search);

    std::unique_lock lock(mutex_);
    space_.swap(space);
    graph_.swap(graph);
    rebuild_free_slots();
    lock.unlock();
    // graph (the old one) is destroyed here, before space (its old space), outside the lock.
    graph.reset();
}

void HnswIndex::rebuild_free_slots() {
    deleted_slots_.clear();
    for (tableint i = 0; i < graph_->cur_element_count; ++i)
        if (graph_->isMarkedDeleted(i)) deleted_slots_.push_back(i);
    live_ = graph_->cur_element_count - deleted_slots_.size();
}

}  // namespace faceid::index
