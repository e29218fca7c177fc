#pragma once
// The index benchmark's command-line options, shared by `faceid bench index` and bench_index.
#include <CLI/CLI.hpp>

#include "index_bench.h"

namespace faceid::bench {

inline void add_index_bench_options(CLI::App& app, IndexBenchOptions& opt) {
    app.add_option("--n", opt.n, "gallery size");
    app.add_option("--dim", opt.dim, "vector dimension");
    app.add_option("--queries", opt.queries, "number of queries");
    app.add_option("--batch", opt.batch, "batch size for the throughput figure");
    app.add_option("--k", opt.k, "neighbours per query");
    app.add_option("--kinds", opt.kinds, "flat, flat16, flat8, hnsw, auto, faiss_flat, faiss_hnsw")
        ->delimiter(',');
    app.add_option("--seed", opt.seed, "random seed");
    app.add_option("--data", opt.data, "faces or random")->check(CLI::IsMember({"faces", "random"}));
    app.add_option("--per-identity", opt.per_identity, "photos per identity (faces data)");
    app.add_option("--hnsw-m", opt.hnsw.m, "hnsw links per node");
    app.add_option("--hnsw-ef-construction", opt.hnsw.ef_construction, "hnsw build candidate list");
    app.add_option("--hnsw-ef-search", opt.hnsw.ef_search, "hnsw search candidate list");
    app.add_option("--hnsw-ef-sweep", opt.ef_search_sweep, "more ef_search values measured on the same graph")
        ->delimiter(',');
    app.add_option("--blas-threads", opt.blas_threads, "OpenBLAS threads (0: library default)");
}

}  // namespace faceid::bench
