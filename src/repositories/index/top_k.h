#pragma once
// Keeps the k highest-scoring candidates seen so far in a small min-heap: one comparison per candidate
// in the common case (score below the current k-th best), so selecting from n scores costs O(n + k log k)
// instead of a full sort.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "repositories/vector_index.h"

namespace faceid::index {

class TopK {
  public:
    explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }

    // The score a candidate must beat to enter (-inf until k candidates are held).
    float threshold() const {
        return heap_.size() < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().similarity;
    }

    void push(uint64_t label, float similarity) {
        if (k_ == 0) return;
        if (heap_.size() < k_) {
            heap_.push_back({label, similarity});
            std::push_heap(heap_.begin(), heap_.end(), worse_first);
        } else if (better(Neighbor{label, similarity}, heap_.front())) {
            std::pop_heap(heap_.begin(), heap_.end(), worse_first);
            heap_.back() = {label, similarity};
            std::push_heap(heap_.begin(), heap_.end(), worse_first);
        }
    }

    // Scans a row of scores; ids[i] is the label of scores[i].
    void push_scores(const float* scores, size_t n, const uint64_t* labels) {
        float bar = threshold();
        for (size_t i = 0; i < n; ++i) {
            if (scores[i] >= bar) {
                push(labels[i], scores[i]);
                bar = threshold();
            }
        }
    }

    // Best first; ties broken by the smaller label so that results are deterministic.
    std::vector<Neighbor> take_sorted() {
        std::sort(heap_.begin(), heap_.end(), better);
        return std::move(heap_);
    }

    static bool better(const Neighbor& a, const Neighbor& b) {
        return a.similarity > b.similarity || (a.similarity == b.similarity && a.label < b.label);
    }

  private:
    static bool worse_first(const Neighbor& a, const Neighbor& b) { return better(a, b); }

    size_t k_;
    std::vector<Neighbor> heap_;  // heap_.front() is the worst of the kept candidates
};

}  // namespace faceid::index
