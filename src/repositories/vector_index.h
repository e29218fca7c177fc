#pragma once
// Nearest-neighbour search over L2-normalised embeddings by inner product (= cosine similarity).
// Labels are the faces' 63-bit numeric labels. "flat" is the exact reference; every faster index is
// tested against it by the contract suite (tests/contract/vector_index_contract.cpp).
// Implementations are thread-safe: many concurrent searches, writes exclusive.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace faceid {

struct Neighbor {
    uint64_t label = 0;
    float similarity = 0;  // inner product of the normalised vectors
};

class VectorIndex {
  public:
    virtual ~VectorIndex() = default;

    virtual int dim() const = 0;
    // Adds (or replaces) one vector of dim() floats.
    virtual void add(uint64_t label, const float* vector) = 0;
    // Adds (or replaces) n vectors, row after row; the same as n add() calls, but an index may build
    // faster in bulk (hnsw inserts on all cores). Meant for loading a gallery at start-up: searches may
    // wait until the batch is in.
    virtual void add_batch(const uint64_t* labels, const float* vectors, size_t n);
    // Removes a vector; returns false if the label was not present.
    virtual bool remove(uint64_t label) = 0;
    // The k most similar vectors, best first.
    virtual std::vector<Neighbor> search(const float* query, int k) const = 0;
    // n queries laid out row after row; one result list per query.
    virtual std::vector<std::vector<Neighbor>> search_batch(const float* queries, int n, int k) const;
    virtual size_t size() const = 0;
    virtual size_t memory_bytes() const = 0;
    virtual std::string name() const = 0;

    // Writes the whole index to one file, atomically (temporary file + rename), so that a restart can
    // load it instead of rebuilding. Throws Error(kStorageError) on I/O failure.
    virtual void save(const std::filesystem::path& path) const;
    // Replaces the contents with a file written by save() of the same kind and dim. Throws
    // Error(kStorageError) on a missing, truncated or foreign file; the index is unchanged then.
    virtual void load(const std::filesystem::path& path);
};

}  // namespace faceid
