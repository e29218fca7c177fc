#pragma once
// Vector index benchmark: builds each index kind on the same synthetic gallery and prints one
// key=value line per index (build time, memory, single-query p50/p99, batch throughput, recall@1 and
// @10 against exact search). Debian's FAISS IndexFlatIP / IndexHNSWFlat run on the same data as
// references when FAISS was found at configure time. Figures only: nothing here passes or fails on time.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "repositories/index/hnsw_index.h"

namespace faceid::bench {

struct IndexBenchOptions {
    size_t n = 100000;  // gallery size
    int dim = 512;
    size_t queries = 1000;  // single queries timed (stops early after ~30 s per index) and batch queries
    int batch = 64;         // batch size for the throughput figure
    int k = 10;
    // Any of flat, flat16, flat8, hnsw, auto, faiss_flat, faiss_hnsw.
    std::vector<std::string> kinds = {"flat", "flat16", "flat8", "hnsw", "faiss_flat", "faiss_hnsw"};
    uint64_t seed = 42;
    // "faces": identities of per_identity photos (random centre + noise, cosine ~0.6 within a person,
    // sd ~0.07 across people), queries are new photos of registered people. "random": uniform on the sphere,
    // the adversarial case for graph indexes.
    std::string data = "faces";
    size_t per_identity = 10;
    index::HnswParams hnsw;  // also used for faiss_hnsw (M, efConstruction, efSearch)
    // Extra ef_search values measured on the same graph after the first (one line each, no rebuild).
    std::vector<int> ef_search_sweep;
    int blas_threads = 0;  // OpenBLAS threads for our indexes; 0 leaves the library default
};

// Returns 0, or 2 for invalid options (after printing why).
int run_index_bench(const IndexBenchOptions& opt, std::ostream& out);

}  // namespace faceid::bench
