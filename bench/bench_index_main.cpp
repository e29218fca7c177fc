// The vector index benchmark: build/release/bench/bench_index --help.
// Example: bench_index --n 200000 --queries 1000
#include <CLI/CLI.hpp>

#include <iostream>

#include "index_bench_cli.h"

int main(int argc, char** argv) {
    faceid::bench::IndexBenchOptions opt;
    CLI::App app{"Vector index benchmark: build time, memory, latency, throughput, recall"};
    faceid::bench::add_index_bench_options(app, opt);
    CLI11_PARSE(app, argc, argv);
    return faceid::bench::run_index_bench(opt, std::cout);
}
