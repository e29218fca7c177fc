// Standalone driver for the vector index benchmark (the same code runs as `faceid bench index`).
// Example: bench_index --n 200000 --queries 1000
#include <CLI/CLI.hpp>

#include <iostream>

#include "index_bench.h"

int main(int argc, char** argv) {
    faceid::bench::IndexBenchOptions opt;
    CLI::App app{"Vector index benchmark: build time, memory, latency, throughput, recall"};
    app.add_option("--n", opt.n, "gallery size");
    app.add_option("--dim", opt.dim, "vector dimension");
    app.add_option("--queries", opt.queries, "number of queries");
    app.add_option("--batch", opt.batch, "batch size for the throughput figure");
    app.add_option("--k", opt.k, "neighbours per query");
    app.add_option("--kinds", opt.kinds, "flat, flat16, hnsw, auto, faiss_flat, faiss_hnsw")->delimiter(',');
    app.add_option("--seed", opt.seed, "random seed");
    app.add_option("--data", opt.data, "faces or random")->check(CLI::IsMember({"faces", "random"}));
    app.add_option("--per-identity", opt.per_identity, "photos per identity (faces data)");
    app.add_option("--hnsw-m", opt.hnsw.m, "hnsw links per node");
    app.add_option("--hnsw-ef-construction", opt.hnsw.ef_construction, "hnsw build candidate list");
    app.add_option("--hnsw-ef-search", opt.hnsw.ef_search, "hnsw search candidate list");
    app.add_option("--hnsw-ef-sweep", opt.ef_search_sweep, "more ef_search values measured on the same graph")
        ->delimiter(',');
    app.add_option("--blas-threads", opt.blas_threads, "OpenBLAS threads (0: library default)");
    CLI11_PARSE(app, argc, argv);
    return faceid::bench::run_index_bench(opt, std::cout);
}
