#include "services/evaluation.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

namespace faceid {
namespace {

TEST(Evaluation, BestThresholdSeparatesSeparableScores) {
    std::vector<ScoredPair> pairs = {{0, false, 0.1}, {0, false, 0.2}, {0, true, 0.5}, {0, true, 0.7}};
    const double t = best_threshold(pairs);
    EXPECT_GT(t, 0.2);
    EXPECT_LT(t, 0.5);
    EXPECT_DOUBLE_EQ(accuracy_at(pairs, t), 1.0);
    EXPECT_DOUBLE_EQ(accuracy_at(pairs, 0.6), 0.75);
}

TEST(Evaluation, KFoldUsesThresholdsFromOtherFolds) {
    // Fold 1 is the only one where the threshold from the others misclassifies a pair.
    std::vector<ScoredPair> pairs;
    for (int fold = 0; fold < 3; ++fold) {
        pairs.push_back({fold, false, 0.1});
        pairs.push_back({fold, true, 0.8});
    }
    pairs.push_back({1, true, 0.3});  // below the others' threshold (~0.45) -> wrong in fold 1
    const auto result = k_fold_accuracy(pairs);
    ASSERT_EQ(result.fold_accuracy.size(), 3u);
    EXPECT_DOUBLE_EQ(result.fold_accuracy[0], 1.0);
    EXPECT_NEAR(result.fold_accuracy[1], 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(result.accuracy, (1 + 2.0 / 3.0 + 1) / 3, 1e-12);
    EXPECT_GT(result.stddev, 0.1);
}

TEST(Evaluation, TarAtFarCountsAllowedImpostors) {
    std::vector<ScoredPair> pairs;
    for (int i = 0; i < 1000; ++i) pairs.push_back({0, false, i / 1000.0 * 0.5});  // impostors 0 .. 0.4995
    for (int i = 0; i < 100; ++i) pairs.push_back({0, true, 0.45 + i / 100.0 * 0.5});
    const auto op = tar_at_far(pairs, 1e-2);  // 10 impostors may pass: threshold just above 0.4945
    EXPECT_GT(op.threshold, 0.4945);
    EXPECT_LT(op.threshold, 0.4946);
    int impostors_accepted = 0;
    for (const auto& p : pairs) impostors_accepted += !p.same && p.similarity >= op.threshold;
    EXPECT_LE(impostors_accepted, 10);
    EXPECT_NEAR(op.tar, 0.91, 1e-9);  // genuine 0.45 + i/200 above 0.4945 -> i >= 9
}

TEST(Evaluation, LogisticFitRecoversSlope) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> uniform(-0.2, 0.9);
    std::vector<ScoredPair> pairs;
    for (int i = 0; i < 20000; ++i) {
        const double s = uniform(rng);
        const double p = 1 / (1 + std::exp(-(15 * s - 5)));
        pairs.push_back({0, std::bernoulli_distribution(p)(rng), s});
    }
    const auto fit = fit_logistic(pairs);
    EXPECT_NEAR(fit.slope, 15, 1.5);
    EXPECT_NEAR(fit.intercept, -5, 0.6);
}

TEST(Evaluation, ReadsLfwFourColumnAndCsvPairLists) {
    const auto dir = std::filesystem::temp_directory_path() / "faceid-pairs-test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream lfw(dir / "pairs.txt");
        lfw << "2\t1\nAnn\t1\t2\nBob\t3\tCid\t4\nDee\t1\t12\nEve\t2\tFay\t1\n";
        std::ofstream four(dir / "four.tsv");
        four << "3\ta.jpg\t/abs/b.jpg\t1\n4\tc.jpg\td.jpg\t0\n";
        std::ofstream csv(dir / "pairs.csv");
        csv << "image_a,image_b,same,source_list\n";
        for (int i = 0; i < 12; ++i) csv << "p1/a" << i << ".jpg,p2/b.jpg," << (i % 3 == 0) << ",x.csv\r\n";
    }
    const auto lfw = read_pair_list((dir / "pairs.txt").string(), "/root");
    ASSERT_EQ(lfw.size(), 4u);
    EXPECT_EQ(lfw[0].path_a, "/root/Ann/Ann_0001.jpg");
    EXPECT_EQ(lfw[2].path_b, "/root/Dee/Dee_0012.jpg");
    EXPECT_TRUE(lfw[0].same);
    EXPECT_FALSE(lfw[1].same);
    EXPECT_EQ(lfw[1].path_b, "/root/Cid/Cid_0004.jpg");
    EXPECT_EQ(lfw[0].fold, 0);
    EXPECT_EQ(lfw[2].fold, 1);
    const auto four = read_pair_list((dir / "four.tsv").string(), "/r");
    ASSERT_EQ(four.size(), 2u);
    EXPECT_EQ(four[0].fold, 3);
    EXPECT_EQ(four[0].path_a, "/r/a.jpg");
    EXPECT_EQ(four[0].path_b, "/abs/b.jpg");
    EXPECT_TRUE(four[0].same);
    EXPECT_FALSE(four[1].same);
    const auto csv = read_pair_list((dir / "pairs.csv").string(), "/m");
    ASSERT_EQ(csv.size(), 12u);
    EXPECT_EQ(csv[1].path_a, "/m/p1/a1.jpg");
    EXPECT_EQ(csv[1].path_b, "/m/p2/b.jpg");
    EXPECT_TRUE(csv[0].same);
    EXPECT_FALSE(csv[1].same);
    EXPECT_EQ(csv[3].fold, 3);
    EXPECT_EQ(csv[11].fold, 1);  // ten folds by position
    std::filesystem::remove_all(dir);
}

// `faceid eval` died with "faceid: stoi" on a pair list with a comment line: comments are skipped, and a
// line that is wrong is named by its number.
TEST(Evaluation, PairListsAcceptCommentsAndNameTheWrongLine) {
    const auto dir = std::filesystem::temp_directory_path() / "faceid-pairs-comment-test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream commented(dir / "commented.txt");
        commented << "# my pairs\n2\t1\n# same\nAnn\t1\t2\n#different\nBob\t3\tCid\t4\n";
        std::ofstream bad(dir / "bad.txt");
        bad << "1\t1\nAnn\t1\t2\nBob\tx\tCid\t4\n";
        std::ofstream bad_header(dir / "bad_header.tsv");
        bad_header << "folds\tpairs\n";
    }
    const auto pairs = read_pair_list((dir / "commented.txt").string(), "/root");
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[0].path_a, "/root/Ann/Ann_0001.jpg");
    EXPECT_FALSE(pairs[1].same);
    for (const auto& [name, line] : {std::pair{"bad.txt", "line 3"}, std::pair{"bad_header.tsv", "line 1"}}) {
        try {
            read_pair_list((dir / name).string(), "/root");
            ADD_FAILURE() << name << " was accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(line), std::string::npos) << e.what();
        } catch (const std::exception& e) {
            ADD_FAILURE() << name << ": not an Error: " << e.what();
        }
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faceid
