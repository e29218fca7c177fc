// What the index kinds promise beyond the VectorIndex contract: the flat reference against a plain loop,
// the HNSW defaults on face-shaped data, the fast flat scans' parallel paths, and the factory's checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "core/error.h"
#include "repositories/index/flat_index.h"
#include "repositories/index/hnsw_index.h"
#include "repositories/index/index_factory.h"
#include "support/index_test_vectors.h"
#include "support/test_support.h"

namespace faceid {
namespace {

using namespace faceid::testing;

TEST(FlatIndexReference, MatchesAPlainLoop) {
    std::mt19937_64 rng(1);
    const size_t n = 1500;
    Vectors data = random_vectors(n, rng), queries = random_vectors(20, rng);
    index::FlatIndex flat(kDim);
    for (size_t i = 0; i < n; ++i) flat.add(1000 + i, &data[i * kDim]);
    for (size_t q = 0; q < 20; ++q) {
        std::vector<std::pair<double, uint64_t>> all;
        for (size_t i = 0; i < n; ++i) {
            double s = 0;
            for (int d = 0; d < kDim; ++d) s += double(queries[q * kDim + d]) * data[i * kDim + d];
            all.push_back({-s, 1000 + i});
        }
        std::sort(all.begin(), all.end());
        auto got = flat.search(&queries[q * kDim], 10);
        ASSERT_EQ(got.size(), 10u);
        for (size_t r = 0; r < 10; ++r) {
            EXPECT_EQ(got[r].label, all[r].second);
            EXPECT_NEAR(got[r].similarity, -all[r].first, 1e-5);
        }
    }
}

TEST(HnswDefaults, AgreeWithFlatOnFaceShapedVectors) {
    std::mt19937_64 rng(11);
    const size_t identities = 150, per_identity = 10;
    FaceData faces{random_vectors(identities, rng)};
    auto index = make_vector_index(config_of("hnsw"));
    index::FlatIndex reference(kDim);
    for (size_t id = 0; id < identities; ++id) {
        Vectors photos = faces.sample(id, per_identity, rng);
        for (size_t p = 0; p < per_identity; ++p) {
            index->add(id * 100 + p, &photos[p * kDim]);
            reference.add(id * 100 + p, &photos[p * kDim]);
        }
    }
    for (size_t id = 0; id < identities; id += 3)  // some people leave
        for (size_t p = 0; p < per_identity; ++p) index->remove(id * 100 + p), reference.remove(id * 100 + p);
    // New photos of people still registered. (For a stranger the exact top 10 is noise around cosine 0,
    // which no index needs to reproduce: none of it passes the match threshold.)
    Vectors queries;
    for (size_t q = 0; q < 100; ++q) {
        const size_t id = 3 * (rng() % (identities / 3)) + 1 + rng() % 2;  // never a multiple of 3
        Vectors photo = faces.sample(id, 1, rng);
        queries.insert(queries.end(), photo.begin(), photo.end());
    }
    expect_agrees(false, *index, reference, queries, 10);
}

// From 50,000 rows the fast scans split a single query over all cores; small vectors keep this cheap
// (and dim 16 leaves most of flat8's 64-byte code rows as padding).
TEST(FlatIndexFastScans, ParallelScansAgreeWithFloat32) {
    constexpr int dim = 16;
    std::mt19937_64 rng(14);
    std::normal_distribution<float> gauss;
    const size_t n = 60000;
    std::vector<float> data(n * dim), queries(20 * dim);
    for (auto& x : data) x = gauss(rng);
    for (auto& x : queries) x = gauss(rng);
    index::FlatIndex reference(dim), half(dim, index::FlatScan::kFloat16), int8(dim, index::FlatScan::kInt8);
    std::vector<uint64_t> labels(n);
    for (size_t i = 0; i < n; ++i) labels[i] = 3 * i + 1;
    for (auto* index : {&reference, &half, &int8}) index->add_batch(labels.data(), data.data(), n);
    for (size_t q = 0; q < 20; ++q) {
        const auto want = reference.search(&queries[q * dim], 10);
        for (const auto* index : {&half, &int8}) {
            const auto got = index->search(&queries[q * dim], 10);
            ASSERT_EQ(got.size(), want.size());
            for (size_t i = 0; i < got.size(); ++i) {
                EXPECT_EQ(got[i].label, want[i].label) << index->name() << " query " << q << " rank " << i;
                EXPECT_NEAR(got[i].similarity, want[i].similarity, 1e-4) << index->name();
            }
        }
    }
}

TEST(IndexFactory, RejectsUnknownKindsAndBadParameters) {
    EXPECT_THROW(make_vector_index(config_of("ivf")), Error);
    IndexConfig bad = config_of("hnsw");
    bad.hnsw.m = 0;
    EXPECT_THROW(make_vector_index(bad), Error);
    bad.kind = "auto";
    EXPECT_THROW(make_vector_index(bad), Error);
    EXPECT_THROW(make_vector_index(IndexConfig{"flat", 0, {}, 0}), Error);
}

}  // namespace
}  // namespace faceid
