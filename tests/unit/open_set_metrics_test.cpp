// Open-set metrics on small hand-made outcomes whose rates can be counted by hand.
#include "services/open_set_metrics.h"

#include <gtest/gtest.h>

namespace faceid {
namespace {

ProbeOutcome known(std::string truth, std::string best, double score, bool matched = false, double p = 0) {
    return {true, std::move(truth), std::move(best), score, matched, p};
}
ProbeOutcome stranger(std::string best, double score, bool matched = false, double p = 0) {
    return {false, "", std::move(best), score, matched, p};
}

TEST(OpenSetMetrics, RatesAtAThresholdCountEachKindOfError) {
    const std::vector<ProbeOutcome> probes = {
        known("a", "a", 0.8), known("b", "b", 0.4),  // right, but the second is below 0.5
        known("c", "x", 0.7),                        // wrong person above the threshold
        stranger("a", 0.9),   stranger("b", 0.3),   stranger("c", 0.2), stranger("", -2)};
    const auto r = rates_at_threshold(probes, 0.5);
    EXPECT_EQ(r.known, 3u);
    EXPECT_EQ(r.unknown, 4u);
    EXPECT_DOUBLE_EQ(r.fpir, 0.25);
    EXPECT_DOUBLE_EQ(r.fnir, 2.0 / 3);
    EXPECT_DOUBLE_EQ(r.wrong_person, 1.0 / 3);
    EXPECT_DOUBLE_EQ(rank1(probes), 2.0 / 3);
}

TEST(OpenSetMetrics, DecisionsAreTakenAsRecorded) {
    const std::vector<ProbeOutcome> probes = {known("a", "a", 0.8, true), known("b", "b", 0.8, false),
                                              stranger("a", 0.1, true), stranger("a", 0.9, false)};
    const auto r = rates_of_decisions(probes);
    EXPECT_DOUBLE_EQ(r.fpir, 0.5);
    EXPECT_DOUBLE_EQ(r.fnir, 0.5);
}

TEST(OpenSetMetrics, DetCurveAndFnirAtFpir) {
    std::vector<ProbeOutcome> probes;
    for (int i = 0; i < 100; ++i) probes.push_back(stranger("s", i / 100.0));         // 0.00 .. 0.99
    for (int i = 0; i < 10; ++i) probes.push_back(known("k", "k", 0.9 + i / 100.0));  // 0.90 .. 0.99
    const auto curve = det_curve(probes);
    ASSERT_EQ(curve.size(), 101u);
    EXPECT_DOUBLE_EQ(curve.front().fpir, 0);
    EXPECT_DOUBLE_EQ(curve.front().fnir, 1);  // no known probe reaches above 0.99
    for (size_t i = 1; i < curve.size(); ++i) {
        EXPECT_GE(curve[i].fpir, curve[i - 1].fpir);
        EXPECT_LE(curve[i].fnir, curve[i - 1].fnir);
    }
    // FPIR <= 5%: threshold 0.95 (strangers 0.95..0.99 pass), known 0.95..0.99 pass: FNIR 50%.
    const auto point = fnir_at_fpir(probes, 0.05);
    EXPECT_NEAR(point.threshold, 0.95, 1e-9);
    EXPECT_DOUBLE_EQ(point.fpir, 0.05);
    EXPECT_DOUBLE_EQ(point.fnir, 0.5);
}

TEST(OpenSetMetrics, ReliabilityBinsMergeUntilLargeEnough) {
    std::vector<ProbeOutcome> probes;
    for (int i = 0; i < 40; ++i) probes.push_back(known("a", i < 36 ? "a" : "b", 0.9, true, 0.95));
    for (int i = 0; i < 20; ++i) probes.push_back(stranger("a", 0.2, false, 0.05));
    for (int i = 0; i < 15; ++i) probes.push_back(known("a", i < 3 ? "a" : "b", 0.3, false, 0.15));
    const auto bins = reliability_table(probes, {0, 0.1, 0.2, 0.5, 1.0}, 30);
    ASSERT_EQ(bins.size(), 2u);  // 20 + 15 merged into one bin, the 40 in another
    EXPECT_EQ(bins[0].probes, 35u);
    EXPECT_NEAR(bins[0].observed, 3.0 / 35, 1e-12);
    EXPECT_NEAR(bins[0].predicted, (20 * 0.05 + 15 * 0.15) / 35, 1e-12);
    EXPECT_EQ(bins[1].probes, 40u);
    EXPECT_NEAR(bins[1].observed, 0.9, 1e-12);
}

}  // namespace
}  // namespace faceid
