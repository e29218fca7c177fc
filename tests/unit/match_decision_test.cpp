// The 1:N decision and the percentage: the threshold follows the gallery's size, the floor holds for
// non-admins, and the fitted models behave as probabilities.
#include "services/calibration/match_decision.h"
#include "core/error.h"

#include <gtest/gtest.h>

#include <cmath>

namespace faceid {
namespace {

TEST(MatchDecision, ThresholdGrowsWithTheGalleryAndHoldsTheTargetRate) {
    const MatchPolicy policy;  // target FPIR 1%
    double previous = -1;
    for (size_t templates : {1, 10, 100, 1000, 10000, 100000, 1000000}) {
        const auto decision = policy.decide(templates);
        EXPECT_EQ(decision.basis, MatchDecision::Basis::kTargetFpir);
        EXPECT_GT(decision.threshold, previous) << templates;
        EXPECT_NEAR(decision.predicted_fpir, 0.01, 0.0005) << templates;
        EXPECT_EQ(decision.templates, templates);
        previous = decision.threshold;
    }
    // The 1:1 operating point the previous decision used for every gallery is far too low for thousands.
    EXPECT_GT(policy.decide(3700).threshold, 0.5);
    EXPECT_LT(policy.decide(10).threshold, 0.45);
}

TEST(MatchDecision, StricterTargetsGiveHigherThresholds) {
    const MatchPolicy loose({0.05, std::nullopt, 0.333}), strict({0.001, std::nullopt, 0.333});
    EXPECT_LT(loose.decide(1000).threshold, MatchPolicy().decide(1000).threshold);
    EXPECT_GT(strict.decide(1000).threshold, MatchPolicy().decide(1000).threshold);
}

TEST(MatchDecision, AConfiguredThresholdReplacesTheTarget) {
    const MatchPolicy policy({0.01, 0.42, 0.333});
    const auto decision = policy.decide(5000);
    EXPECT_EQ(decision.basis, MatchDecision::Basis::kConfigured);
    EXPECT_DOUBLE_EQ(decision.threshold, 0.42);
    EXPECT_GT(decision.predicted_fpir, 0.01);  // looser than the target at this size: the model says so
}

TEST(MatchDecision, OnlyAnAdminMayGoBelowTheFloor) {
    const MatchPolicy policy({0.01, std::nullopt, 0.333});
    // Stricter, or looser but above the floor: anyone.
    EXPECT_DOUBLE_EQ(policy.decide(1000, 0.7).threshold, 0.7);
    EXPECT_EQ(policy.decide(1000, 0.7).basis, MatchDecision::Basis::kRequested);
    EXPECT_DOUBLE_EQ(policy.decide(1000, 0.4).threshold, 0.4);
    try {
        policy.decide(1000, -1.0);
        FAIL() << "a searcher listed the gallery below the floor";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kThresholdBelowFloor);
        EXPECT_EQ(e.info().http_status, 403);
    }
    EXPECT_DOUBLE_EQ(policy.decide(1000, -1.0, /*may_go_below_floor=*/true).threshold, -1.0);
    // Candidates are listed down to the floor (or the threshold, when that is lower).
    EXPECT_DOUBLE_EQ(policy.decide(1000).candidate_floor, 0.333);
    EXPECT_DOUBLE_EQ(policy.decide(1000, -1.0, true).candidate_floor, -1.0);
}

TEST(MatchProbability, RisesWithTheScoreAndFallsWithTheGallery) {
    const MatchPolicy policy;
    for (size_t templates : {1, 100, 10000}) {
        double previous = 0;
        for (double cosine = -1.0; cosine <= 1.0; cosine += 0.01) {
            const double p = policy.probability(cosine, templates);
            EXPECT_GE(p, previous) << cosine;  // never less certain for a higher score
            EXPECT_LE(p, 1);
            previous = p;
        }
    }
    // Where the decision is made it rises steeply.
    for (double cosine = 0.40; cosine < 0.70; cosine += 0.02)
        EXPECT_GT(policy.probability(cosine + 0.02, 1000), policy.probability(cosine, 1000)) << cosine;
    EXPECT_LT(policy.probability(0.0, 1), 0.01);
    EXPECT_GT(policy.probability(0.9, 1000000), 0.95);
    EXPECT_LT(policy.probability(0.5, 10000), policy.probability(0.5, 100));
    // A cosine of 0.61 is a near-certain match between two photos but far from certain in a gallery of
    // 100,000 (one scale: the same function serves verify, search and duplicates).
    EXPECT_GT(policy.probability(0.61, 1), 0.99);
    EXPECT_LT(policy.probability(0.61, 100000), 0.6);
}

TEST(ImpostorModel, TailIsContinuousAndDecreasing) {
    const auto& model = fitted_impostor_model();
    double previous = 1;
    for (double z = 0; z < 12; z += 0.01) {
        const double g = model.log10_tail(z);
        EXPECT_LE(g, previous + 1e-12) << z;
        EXPECT_LT(std::abs(g - model.log10_tail(z + 1e-6)), 1e-3) << z;  // no jump
        previous = g;
    }
    EXPECT_NEAR(model.fpir(model.threshold_for(0.01, 5000), 5000), 0.01, 1e-4);
}

}  // namespace
}  // namespace faceid
