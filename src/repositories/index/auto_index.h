#pragma once
// Exact while the gallery is small, approximate once it is large: starts as a FlatIndex (flat8: the int8
// scan answered single queries 40x faster than float32 sgemv at 20k faces, same exact results, for 25%
// more memory, at most ~25 MB below the default threshold) and, when an add
// takes it past the threshold, rebuilds itself as an HnswIndex (once; it does not switch back when the
// gallery shrinks, so a gallery hovering at the line does not rebuild again and again).
// The switch builds the graph under the write lock: searches and writes wait for it (seconds at the
// default threshold).
#include <memory>

#include "repositories/index/hnsw_index.h"
#include "repositories/index/writer_priority_mutex.h"
#include "repositories/vector_index.h"

namespace faceid::index {

class AutoIndex : public VectorIndex {
  public:
    AutoIndex(int dim, size_t threshold, HnswParams hnsw_params);

    int dim() const override { return dim_; }
    void add(uint64_t label, const float* vector) override;
    void add_batch(const uint64_t* labels, const float* vectors, size_t n) override;
    bool remove(uint64_t label) override;
    std::vector<Neighbor> search(const float* query, int k) const override;
    std::vector<std::vector<Neighbor>> search_batch(const float* queries, int n, int k) const override;
    size_t size() const override;
    size_t memory_bytes() const override;
    // "auto:flat8" or "auto:hnsw": which index currently answers.
    std::string name() const override;
    // Saves the current index's own file; load() recognises either kind.
    void save(const std::filesystem::path& path) const override;
    void load(const std::filesystem::path& path) override;

    bool is_approximate() const;

  private:
    void switch_to_hnsw_if_large();

    const int dim_;
    const size_t threshold_;
    const HnswParams hnsw_params_;
    mutable WriterPriorityMutex mutex_;  // shared: calls into active_; exclusive: replacing active_
    std::unique_ptr<VectorIndex> active_;
    bool approximate_ = false;
};

}  // namespace faceid::index
