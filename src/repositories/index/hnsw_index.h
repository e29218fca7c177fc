#pragma once
// Approximate search on an HNSW graph (hnswlib), in inner-product space. Sub-millisecond queries on
// galleries where exact search would scan gigabytes, at a small recall cost that the contract tests bound.
// Removal marks a node deleted; its slot is reused by the next new label, so a gallery with churn does
// not grow. Capacity grows by 1/8 when full, which keeps unused slots under ~12% of the total.
#include <memory>
#include <vector>

#include "repositories/index/writer_priority_mutex.h"
#include "repositories/vector_index.h"

namespace hnswlib {
template <typename dist_t>
class HierarchicalNSW;
}  // namespace hnswlib

namespace faceid::index {

class InnerProductSpace;

// Defaults measured with bench_index on 512-d face-shaped vectors (10 photos per person, realistic spread
// between people), 100k faces, 2 cores: M=16 costs ~2.3 KB per face including the vector; recall@1 and
// @10 were 1.000 at ef_search 32, 64 and 128 (p50 0.24 / 0.45 / 0.83 ms on a loaded machine), so 64
// leaves a 2x margin. ef_construction 100 (hnswlib's example uses 200) keeps the build cost down and
// already gave that recall; 200 was not measured.
// Isotropic random vectors are much harder (see the contract test): raise ef_search for such data.
struct HnswParams {
    int m = 16;                 // links per node (layer 0 has 2*m)
    int ef_construction = 100;  // candidate list while inserting: graph quality vs build time
    int ef_search = 64;         // candidate list while searching: recall vs latency (raised to k if smaller)
    size_t initial_capacity = 1024;
    unsigned seed = 100;  // level generator seed: the same add() sequence gives the same graph
};

class HnswIndex : public VectorIndex {
  public:
    HnswIndex(int dim, HnswParams params = {});
    ~HnswIndex() override;

    int dim() const override { return dim_; }
    void add(uint64_t label, const float* vector) override;
    // New labels are inserted by all cores in parallel (hnswlib locks per node); known labels and reused
    // slots one by one. Holds the write lock for the whole batch.
    void add_batch(const uint64_t* labels, const float* vectors, size_t n) override;
    bool remove(uint64_t label) override;
    std::vector<Neighbor> search(const float* query, int k) const override;
    size_t size() const override;
    size_t memory_bytes() const override;
    std::string name() const override { return "hnsw"; }
    // The file is hnswlib's own format (loadable by the hnswlib tools); deleted slots are kept.
    void save(const std::filesystem::path& path) const override;
    void load(const std::filesystem::path& path) override;

    const HnswParams& params() const { return params_; }
    void set_ef_search(int ef_search);
    // Slots allocated (live + deleted-awaiting-reuse + free).
    size_t capacity() const;

  private:
    using Graph = hnswlib::HierarchicalNSW<float>;
    void grow_if_full();
    // add() without taking the lock; returns false (and does nothing) if label is new and no deleted
    // slot is free, i.e. it needs a fresh node.
    bool update_or_reuse_locked(uint64_t label, const float* vector);
    void rebuild_free_slots();

    const int dim_;
    HnswParams params_;
    std::unique_ptr<InnerProductSpace> space_;  // must outlive graph_, which points into it
    std::unique_ptr<Graph> graph_;
    std::vector<unsigned> deleted_slots_;  // candidates for reuse; entries may be stale (re-added label)
    size_t live_ = 0;
    // hnswlib searches may run concurrently with each other but not with inserts, deletes or a resize
    // (which reallocates the node storage), so writes take the lock exclusively.
    mutable WriterPriorityMutex mutex_;
};

}  // namespace faceid::index
