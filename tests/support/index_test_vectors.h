#pragma once
// Vectors for the vector-index tests (the contract suite in tests/contract and the index-specific tests in
// tests/storage): random unit vectors, face-shaped identities, and the agreement check against the exact
// reference.
#include "repositories/index/index_factory.h"
#include "repositories/vector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace faceid::testing {

inline constexpr int kDim = 512;
using Vectors = std::vector<float>;  // rows of kDim

inline void normalize(float* v) {
    double norm = 0;
    for (int i = 0; i < kDim; ++i) norm += double(v[i]) * v[i];
    const float scale = float(1 / std::sqrt(norm));
    for (int i = 0; i < kDim; ++i) v[i] *= scale;
}

inline Vectors random_vectors(size_t n, std::mt19937_64& rng) {
    std::normal_distribution<float> gauss;
    Vectors v(n * kDim);
    for (auto& x : v) x = gauss(rng);
    for (size_t i = 0; i < n; ++i) normalize(&v[i * kDim]);
    return v;
}

// Face-like data: each identity is a random centre, each photo the centre plus noise, normalised.
// noise 0.8 gives cosine ~0.6 between two photos of one person and ~0 between people, as measured for
// the real embedder (design.md §2).
struct FaceData {
    Vectors centres;
    Vectors sample(size_t identity, size_t count, std::mt19937_64& rng) const {
        std::normal_distribution<float> gauss(0, 0.8f / std::sqrt(float(kDim)));
        Vectors v(count * kDim);
        for (size_t i = 0; i < count; ++i) {
            for (int d = 0; d < kDim; ++d) v[i * kDim + d] = centres[identity * kDim + d] + gauss(rng);
            normalize(&v[i * kDim]);
        }
        return v;
    }
};

// Every query answered like the reference: exact kinds identically (labels in order, similarities
// to float rounding), approximate ones with the same best label and recall@k >= min_recall.
inline void expect_agrees(bool exact, const VectorIndex& index, const VectorIndex& reference,
                          const Vectors& queries, int k, double min_recall = 0.99) {
    const size_t nq = queries.size() / kDim;
    size_t found = 0, wanted = 0, top1_same = 0;
    for (size_t q = 0; q < nq; ++q) {
        auto got = index.search(&queries[q * kDim], k);
        auto want = reference.search(&queries[q * kDim], k);
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 1; i < got.size(); ++i) ASSERT_GE(got[i - 1].similarity, got[i].similarity);
        if (exact) {
            for (size_t i = 0; i < got.size(); ++i) {
                ASSERT_EQ(got[i].label, want[i].label) << "query " << q << " rank " << i;
                ASSERT_NEAR(got[i].similarity, want[i].similarity, 1e-5);
            }
        }
        if (!want.empty() && got[0].label == want[0].label) ++top1_same;
        std::set<uint64_t> truth;
        for (auto& n : want) truth.insert(n.label);
        for (auto& n : got) found += truth.count(n.label);
        wanted += want.size();
    }
    EXPECT_EQ(top1_same, nq) << "best match differs from the exact one";
    EXPECT_GE(double(found) / std::max<size_t>(wanted, 1), min_recall) << "recall@" << k;
}

inline IndexConfig config_of(std::string kind, size_t auto_threshold = kAutoIndexThreshold) {
    IndexConfig config;
    config.kind = std::move(kind);
    config.dim = kDim;
    config.auto_threshold = auto_threshold;
    return config;
}

}  // namespace faceid::testing
