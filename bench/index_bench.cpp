#include "index_bench.h"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "repositories/index/flat_index.h"
#include "repositories/index/hnsw_index.h"
#include "repositories/index/index_factory.h"

#ifdef FACEID_HAVE_FAISS
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <omp.h>
#endif

namespace faceid::bench {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Dataset {
    std::vector<float> gallery;  // n x dim
    std::vector<float> queries;  // q x dim
};

void normalize(float* v, int dim) {
    double norm = 0;
    for (int i = 0; i < dim; ++i) norm += double(v[i]) * v[i];
    const float scale = norm > 0 ? float(1 / std::sqrt(norm)) : 0.f;
    for (int i = 0; i < dim; ++i) v[i] *= scale;
}

Dataset make_dataset(const IndexBenchOptions& opt) {
    std::mt19937_64 rng(opt.seed);
    std::normal_distribution<float> gauss;
    const int d = opt.dim;
    Dataset data;
    data.gallery.resize(opt.n * d);
    data.queries.resize(opt.queries * d);
    if (opt.data == "random") {
        for (auto& x : data.gallery) x = gauss(rng);
        for (auto& x : data.queries) x = gauss(rng);
    } else {
        // Photo = centre + noise of norm 0.8: cosine between two photos of a person ~1/(1+0.64) = 0.6.
        const size_t identities = std::max<size_t>(1, opt.n / opt.per_identity);
        std::vector<float> centres(identities * d);
        // Real embeddings of different people are not orthogonal: design.md §2 measured cosines of
        // -0.2 ... 0.4 between people, a spread (sd ~0.12) that 512 isotropic dimensions (sd 0.044) do not
        // have. Component i of a centre gets variance exp(-i/35), an effective dimension of ~70, which gives
        // that spread (sd 0.12 between centres, ~0.07 between photos). "random" data keeps the isotropic,
        // adversarial case.
        for (size_t c = 0; c < identities; ++c)
            for (int i = 0; i < d; ++i) centres[c * d + i] = gauss(rng) * std::exp(-i / 70.0f);
        for (size_t c = 0; c < identities; ++c) normalize(&centres[c * d], d);
        const float noise = 0.8f / std::sqrt(float(d));
        auto photo = [&](size_t identity, float* out) {
            for (int i = 0; i < d; ++i) out[i] = centres[identity * d + i] + noise * gauss(rng);
        };
        for (size_t i = 0; i < opt.n; ++i) photo(i % identities, &data.gallery[i * d]);
        for (size_t q = 0; q < opt.queries; ++q) photo(rng() % identities, &data.queries[q * d]);
    }
    for (size_t i = 0; i < opt.n; ++i) normalize(&data.gallery[i * d], d);
    for (size_t q = 0; q < opt.queries; ++q) normalize(&data.queries[q * d], d);
    return data;
}

// One index under test, whatever its library: labels are gallery rows.
struct Candidate {
    std::string name;
    std::function<void(const float* gallery, size_t n)> build;
    std::function<std::vector<Neighbor>(const float* query)> search;  // top k, best first
    std::function<void(const float* queries, int n)> search_batch;
    std::function<size_t()> memory_bytes;
    std::function<void(int)> set_ef_search;  // hnsw kinds only
    // flat16 / flat8: single queries answered by the float32 scan because the fast scan proved nothing.
    std::function<uint64_t()> fallbacks = [] { return uint64_t(0); };
};

Candidate our_index(const std::string& kind, const IndexBenchOptions& opt) {
    IndexConfig config;
    config.kind = kind;
    config.dim = opt.dim;
    config.hnsw = opt.hnsw;
    auto index = std::shared_ptr<VectorIndex>(make_vector_index(config));
    const int k = opt.k;
    return {kind,
            [index](const float* g, size_t n) {
                std::vector<uint64_t> labels(n);
                for (size_t i = 0; i < n; ++i) labels[i] = i;
                index->add_batch(labels.data(), g, n);  // as at start-up: hnsw builds on all cores
            },
            [index, k](const float* q) { return index->search(q, k); },
            [index, k](const float* q, int n) { index->search_batch(q, n, k); },
            [index] { return index->memory_bytes(); },
            [index](int ef) {
                if (auto* hnsw = dynamic_cast<index::HnswIndex*>(index.get())) hnsw->set_ef_search(ef);
            },
            [index] {
                auto* flat = dynamic_cast<index::FlatIndex*>(index.get());
                return flat ? flat->exact_scan_fallbacks() : uint64_t(0);
            }};
}

#ifdef FACEID_HAVE_FAISS
Candidate faiss_index(const std::string& kind, const IndexBenchOptions& opt) {
    std::shared_ptr<faiss::Index> index;
    if (kind == "faiss_flat") {
        index = std::make_shared<faiss::IndexFlatIP>(opt.dim);
    } else {
        auto hnsw = std::make_shared<faiss::IndexHNSWFlat>(opt.dim, opt.hnsw.m, faiss::METRIC_INNER_PRODUCT);
        hnsw->hnsw.efConstruction = opt.hnsw.ef_construction;
        hnsw->hnsw.efSearch = opt.hnsw.ef_search;
        index = hnsw;
    }
    const int k = opt.k;
    return {kind,
            [index](const float* g, size_t n) { index->add(faiss::Index::idx_t(n), g); },
            [index, k](const float* q) {
                std::vector<float> distances(k);
                std::vector<faiss::Index::idx_t> ids(k);
                index->search(1, q, k, distances.data(), ids.data());
                std::vector<Neighbor> result;
                for (int i = 0; i < k; ++i)
                    if (ids[i] >= 0) result.push_back({uint64_t(ids[i]), distances[i]});
                return result;
            },
            [index, k](const float* q, int n) {
                std::vector<float> distances(size_t(n) * k);
                std::vector<faiss::Index::idx_t> ids(size_t(n) * k);
                index->search(n, q, k, distances.data(), ids.data());
            },
            [index, kind] {
                // FAISS has no memory figure: count its arrays (vectors, and the graph for HNSW).
                size_t bytes = size_t(index->ntotal) * index->d * sizeof(float);
                if (auto* h = dynamic_cast<faiss::IndexHNSW*>(index.get()))
                    bytes += h->hnsw.neighbors.size() * sizeof(faiss::HNSW::storage_idx_t) +
                             h->hnsw.offsets.size() * sizeof(size_t) + h->hnsw.levels.size() * sizeof(int);
                return bytes;
            },
            [index](int ef) {
                if (auto* h = dynamic_cast<faiss::IndexHNSW*>(index.get())) h->hnsw.efSearch = ef;
            }};
}
#endif

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, size_t(p * (values.size() - 1) + 0.5))];
}

}  // namespace

int run_index_bench(const IndexBenchOptions& opt, std::ostream& out) {
    if (opt.n == 0 || opt.dim <= 0 || opt.queries == 0 || opt.batch <= 0 || opt.k <= 0 ||
        (opt.data != "faces" && opt.data != "random") || opt.per_identity == 0) {
        out << "error: n, dim, queries, batch, k and per_identity must be positive, data faces or random\n";
        return 2;
    }
    if (opt.blas_threads > 0) openblas_set_num_threads(opt.blas_threads);
    out << std::fixed;

    auto start = Clock::now();
    const Dataset data = make_dataset(opt);
    out << "# data=" << opt.data << " n=" << opt.n << " dim=" << opt.dim << " queries=" << opt.queries
        << " generated in " << std::setprecision(1) << seconds_since(start) << " s\n";

    // Exact answers from our flat index's batch path (itself checked against a plain loop by the
    // contract tests).
    start = Clock::now();
    std::vector<std::vector<Neighbor>> truth(opt.queries);
    {
        index::FlatIndex exact(opt.dim);
        for (size_t i = 0; i < opt.n; ++i) exact.add(i, &data.gallery[i * opt.dim]);
        auto results = exact.search_batch(data.queries.data(), int(opt.queries), opt.k);
        for (size_t q = 0; q < opt.queries; ++q) truth[q] = std::move(results[q]);
    }
    std::string load;  // other work on the machine skews every figure: say how busy it was
    std::getline(std::ifstream("/proc/loadavg"), load);
    out << "# ground truth in " << seconds_since(start)
        << " s; openblas threads=" << openblas_get_num_threads() << "; load average " << load << "\n";

    for (const std::string& kind : opt.kinds) {
        Candidate candidate;
        if (kind == "flat" || kind == "flat16" || kind == "flat8" || kind == "hnsw" || kind == "auto") {
            candidate = our_index(kind, opt);
        } else if (kind == "faiss_flat" || kind == "faiss_hnsw") {
#ifdef FACEID_HAVE_FAISS
            candidate = faiss_index(kind, opt);
#else
            out << "index=" << kind << " skipped=faiss_not_found_at_configure_time\n";
            continue;
#endif
        } else {
            out << "index=" << kind << " skipped=unknown_kind\n";
            continue;
        }

        start = Clock::now();
        candidate.build(data.gallery.data(), opt.n);
        const double build_s = seconds_since(start);

        std::vector<int> ef_values = {opt.hnsw.ef_search};
        if (kind == "hnsw" || kind == "faiss_hnsw")
            ef_values.insert(ef_values.end(), opt.ef_search_sweep.begin(), opt.ef_search_sweep.end());
        for (int ef : ef_values) {
            candidate.set_ef_search(ef);
            // Single queries, one after another: latency distribution and recall. Stops after ~30 s (slow
            // references at large n) once 50 queries are timed; the line says how many were.
            std::vector<double> latencies_ms;
            size_t hits1 = 0, hits10 = 0, wanted10 = 0, misses = 0;
            const auto single_start = Clock::now();
            for (size_t q = 0; q < opt.queries; ++q) {
                const auto t0 = Clock::now();
                auto got = candidate.search(&data.queries[q * opt.dim]);
                latencies_ms.push_back(seconds_since(t0) * 1e3);
                if (!got.empty() && got[0].label == truth[q][0].label) {
                    ++hits1;
                } else if (++misses <= 3) {  // say what differed: a near-tie, or a wrong answer
                    out << "# " << kind << " query " << q << ": exact top-2";
                    for (size_t r = 0; r < std::min<size_t>(2, truth[q].size()); ++r)
                        out << " " << truth[q][r].label << "@" << std::setprecision(7)
                            << truth[q][r].similarity;
                    out << ", got";
                    for (size_t r = 0; r < std::min<size_t>(2, got.size()); ++r)
                        out << " " << got[r].label << "@" << got[r].similarity;
                    out << "\n";
                }
                std::set<uint64_t> want;
                for (auto& n : truth[q]) want.insert(n.label);
                for (auto& n : got) hits10 += want.count(n.label);
                wanted10 += want.size();
                if (q >= 49 && seconds_since(single_start) > 30) break;
            }
            const size_t timed = latencies_ms.size();
            const double single_s = seconds_since(single_start);

            // Batches: throughput in queries per second (same ~30 s cap).
            start = Clock::now();
            size_t batched = 0;
            while (batched < opt.queries) {
                const int n = int(std::min<size_t>(opt.batch, opt.queries - batched));
                candidate.search_batch(&data.queries[batched * opt.dim], n);
                batched += n;
                if (seconds_since(start) > 30) break;
            }
            const double batch_s = seconds_since(start);

            const size_t memory = candidate.memory_bytes();
            out << "index=" << kind << " n=" << opt.n << " dim=" << opt.dim << " data=" << opt.data
                << std::setprecision(3) << " p50_ms=" << percentile(latencies_ms, 0.5)
                << " p99_ms=" << percentile(latencies_ms, 0.99) << std::setprecision(1)
                << " qps=" << timed / single_s << " batch" << opt.batch << "_qps=" << batched / batch_s
                << std::setprecision(3) << " recall1=" << double(hits1) / timed
                << " recall10=" << double(hits10) / std::max<size_t>(wanted10, 1) << std::setprecision(1)
                << " mem_mb=" << memory / 1048576.0 << " bytes_per_vector=" << std::setprecision(0)
                << double(memory) / opt.n << std::setprecision(2) << " build_s=" << build_s
                << " single_queries=" << timed;
            if (kind == "flat16" || kind == "flat8") out << " fallbacks=" << candidate.fallbacks();
            if (kind == "hnsw" || kind == "faiss_hnsw")
                out << " M=" << opt.hnsw.m << " ef_construction=" << opt.hnsw.ef_construction
                    << " ef_search=" << ef;
            out << "\n" << std::flush;
        }
    }
    return 0;
}

}  // namespace faceid::bench
