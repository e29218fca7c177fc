#pragma once
// Verification metrics over labelled pairs: k-fold accuracy with the threshold chosen on the other folds
// (the LFW protocol), the true-accept rate at a false-accept rate, and a logistic fit of the match
// probability against the cosine (for the percentage calibration).
#include <string>
#include <vector>

namespace faceid {

struct ScoredPair {
    int fold = 0;
    bool same = false;
    double similarity = 0;
};

struct KFoldResult {
    double accuracy = 0;  // mean over folds
    double stddev = 0;
    double threshold = 0;  // mean of the folds' chosen thresholds
    std::vector<double> fold_accuracy;
};

// Threshold maximising accuracy on the given pairs (midpoint between neighbouring scores).
double best_threshold(const std::vector<ScoredPair>& pairs);
double accuracy_at(const std::vector<ScoredPair>& pairs, double threshold);
KFoldResult k_fold_accuracy(const std::vector<ScoredPair>& pairs);

struct OperatingPoint {
    double far = 0;        // requested false-accept rate
    double threshold = 0;  // smallest threshold whose false-accept rate is <= far
    double tar = 0;        // true-accept rate at that threshold
};
OperatingPoint tar_at_far(const std::vector<ScoredPair>& pairs, double far);

// Fits P(same | s) = 1 / (1 + exp(-(slope * s + intercept))) by Newton's method.
struct LogisticFit {
    double slope = 0, intercept = 0;
};
LogisticFit fit_logistic(const std::vector<ScoredPair>& pairs);

// Reads an LFW pair list (pairs.txt format: header line "folds<TAB>n", then same pairs
// "name<TAB>n1<TAB>n2" and different pairs "name1<TAB>n1<TAB>name2<TAB>n2") or a 4-column list
// "fold<TAB>path_a<TAB>path_b<TAB>same", or a CSV whose header names image_a, image_b and same (1/0; more
// columns allowed; pair i in file order goes to fold i % 10). Paths are resolved against root.
struct PairSpec {
    int fold = 0;
    std::string path_a, path_b;
    bool same = false;
};
std::vector<PairSpec> read_pair_list(const std::string& file, const std::string& root);

}  // namespace faceid
