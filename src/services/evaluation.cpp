#include "services/evaluation.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace faceid {

double accuracy_at(const std::vector<ScoredPair>& pairs, double threshold) {
    if (pairs.empty()) return 0;
    size_t correct = 0;
    for (const auto& p : pairs) correct += (p.similarity >= threshold) == p.same;
    return double(correct) / double(pairs.size());
}

double best_threshold(const std::vector<ScoredPair>& pairs) {
    std::vector<ScoredPair> sorted = pairs;
    std::sort(sorted.begin(), sorted.end(),
              [](const ScoredPair& a, const ScoredPair& b) { return a.similarity < b.similarity; });
    // Sweep thresholds between consecutive scores; count correct decisions incrementally.
    size_t positives = 0;
    for (const auto& p : sorted) positives += p.same;
    // Threshold below everything: all accepted -> correct = positives.
    long correct = long(positives), best_correct = correct;
    double best = sorted.empty() ? 0 : sorted.front().similarity - 1e-6;
    for (size_t i = 0; i < sorted.size(); ++i) {
        correct += sorted[i].same ? -1 : 1;  // pair i moves from accepted to rejected
        const bool boundary = i + 1 == sorted.size() || sorted[i + 1].similarity > sorted[i].similarity;
        if (boundary && correct > best_correct) {
            best_correct = correct;
            best = i + 1 < sorted.size() ? (sorted[i].similarity + sorted[i + 1].similarity) / 2
                                         : sorted[i].similarity + 1e-6;
        }
    }
    return best;
}

KFoldResult k_fold_accuracy(const std::vector<ScoredPair>& pairs) {
    std::map<int, std::vector<ScoredPair>> folds;
    for (const auto& p : pairs) folds[p.fold].push_back(p);
    KFoldResult result;
    if (folds.size() < 2) {
        result.threshold = best_threshold(pairs);
        result.accuracy = accuracy_at(pairs, result.threshold);
        result.fold_accuracy = {result.accuracy};
        return result;
    }
    double threshold_sum = 0;
    for (const auto& [fold, test] : folds) {
        std::vector<ScoredPair> train;
        for (const auto& p : pairs)
            if (p.fold != fold) train.push_back(p);
        const double t = best_threshold(train);
        threshold_sum += t;
        result.fold_accuracy.push_back(accuracy_at(test, t));
    }
    const double n = double(result.fold_accuracy.size());
    for (double a : result.fold_accuracy) result.accuracy += a / n;
    double var = 0;
    for (double a : result.fold_accuracy) var += (a - result.accuracy) * (a - result.accuracy) / n;
    result.stddev = std::sqrt(var);
    result.threshold = threshold_sum / n;
    return result;
}

OperatingPoint tar_at_far(const std::vector<ScoredPair>& pairs, double far) {
    std::vector<double> impostors, genuine;
    for (const auto& p : pairs) (p.same ? genuine : impostors).push_back(p.similarity);
    OperatingPoint op;
    op.far = far;
    if (impostors.empty() || genuine.empty()) return op;
    std::sort(impostors.begin(), impostors.end(), std::greater<>());
    // Allow at most floor(far * n) impostors at or above the threshold.
    const size_t allowed = size_t(std::floor(far * double(impostors.size())));
    op.threshold = allowed < impostors.size() ? std::nextafter(impostors[allowed], 2.0) : impostors.back();
    size_t accepted = 0;
    for (double g : genuine) accepted += g >= op.threshold;
    op.tar = double(accepted) / double(genuine.size());
    return op;
}

LogisticFit fit_logistic(const std::vector<ScoredPair>& pairs) {
    double w = 10, b = -3;  // a reasonable start for cosines in -1..1
    for (int iter = 0; iter < 50; ++iter) {
        double gw = 0, gb = 0, hww = 0, hwb = 0, hbb = 0;
        for (const auto& p : pairs) {
            const double prob = 1 / (1 + std::exp(-(w * p.similarity + b)));
            const double err = prob - (p.same ? 1 : 0);
            const double curv = std::max(prob * (1 - prob), 1e-9);
            gw += err * p.similarity;
            gb += err;
            hww += curv * p.similarity * p.similarity;
            hwb += curv * p.similarity;
            hbb += curv;
        }
        hww += 1e-6;  // a touch of regularisation keeps separable data finite
        hbb += 1e-6;
        const double det = hww * hbb - hwb * hwb;
        if (std::abs(det) < 1e-12) break;
        const double dw = (hbb * gw - hwb * gb) / det, db = (hww * gb - hwb * gw) / det;
        w -= dw;
        b -= db;
        if (std::abs(dw) + std::abs(db) < 1e-9) break;
    }
    return {w, b};
}

namespace {

// A whole number in a pair list, or Error(kBadRequest) naming the file and line.
int parse_count(const std::string& text, const std::string& where) {
    size_t used = 0;
    int value = 0;
    try {
        value = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || value < 0)
        throw Error(ErrorCode::kBadRequest, where + ": '" + text + "' is not a whole number");
    return value;
}

std::string lfw_photo(const std::string& root, const std::string& name, const std::string& number,
                      const std::string& where) {
    char file[32];
    std::snprintf(file, sizeof file, "_%04d.jpg", parse_count(number, where));
    return root + "/" + name + "/" + name + file;
}

std::vector<std::string> split_fields(const std::string& line, char separator) {
    std::vector<std::string> fields;
    std::stringstream in(line);
    std::string field;
    while (std::getline(in, field, separator)) {
        while (!field.empty() && (field.back() == '\r' || field.back() == ' ')) field.pop_back();
        fields.push_back(field);
    }
    return fields;
}

std::string resolve_path(const std::string& root, const std::string& path) {
    return path.starts_with("/") ? path : root + "/" + path;
}

// CSV with a header naming image_a, image_b and same (other columns are ignored), e.g. photos-multi's
// pairs.csv. The list has no folds: pair i (0-based, in file order) goes to fold i % 10.
std::vector<PairSpec> read_csv_pairs(std::istream& in, const std::string& header, const std::string& file,
                                     const std::string& root) {
    const auto names = split_fields(header, ',');
    auto column = [&](const std::string& name) {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) throw Error(ErrorCode::kBadRequest, file + " has no column " + name);
        return size_t(it - names.begin());
    };
    const size_t a = column("image_a"), b = column("image_b"), same = column("same");
    const size_t needed = std::max({a, b, same}) + 1;
    std::vector<PairSpec> pairs;
    std::string line;
    while (std::getline(in, line)) {
        const auto f = split_fields(line, ',');
        if (f.empty() || (f.size() == 1 && f[0].empty())) continue;
        if (f.size() < needed)
            throw Error(ErrorCode::kBadRequest, "unrecognised line in " + file + ": " + line);
        const int fold = int(pairs.size() % 10);
        pairs.push_back(
            {fold, resolve_path(root, f[a]), resolve_path(root, f[b]), f[same] == "1" || f[same] == "true"});
    }
    return pairs;
}

}  // namespace

std::vector<PairSpec> read_pair_list(const std::string& file, const std::string& root) {
    std::ifstream in(file);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read pair list " + file);
    std::vector<PairSpec> pairs;
    std::string line;
    int pairs_per_fold = 0;
    size_t same_run_index = 0;  // position within the current fold
    bool first = true;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string where = file + " line " + std::to_string(number);
        if (first && line.starts_with("image_a,")) return read_csv_pairs(in, line, file, root);
        auto f = split_fields(line, '\t');
        if (f.empty() || f[0].empty()) continue;
        if (f[0].starts_with("#")) continue;  // comment line
        if (first) {
            first = false;
            if (f.size() == 2) {  // LFW header: folds, pairs per fold (same + different each)
                parse_count(f[0], where);
                pairs_per_fold = parse_count(f[1], where);
                continue;
            }
            if (f.size() == 1) {  // DevTrain/DevTest header: number of same pairs
                pairs_per_fold = parse_count(f[0], where);
                continue;
            }
        }
        PairSpec pair;
        const bool lfw = pairs_per_fold > 0;
        if (lfw && f.size() == 3) {
            pair = {0, lfw_photo(root, f[0], f[1], where), lfw_photo(root, f[0], f[2], where), true};
        } else if (lfw && f.size() == 4) {
            pair = {0, lfw_photo(root, f[0], f[1], where), lfw_photo(root, f[2], f[3], where), false};
        } else if (f.size() == 4) {
            pair = {parse_count(f[0], where), resolve_path(root, f[1]), resolve_path(root, f[2]),
                    f[3] == "1" || f[3] == "true"};
        } else {
            throw Error(ErrorCode::kBadRequest, where + ": expected 3 or 4 tab-separated fields, got " +
                                                    std::to_string(f.size()) + ": " + line.substr(0, 200));
        }
        if (lfw) pair.fold = int(same_run_index++ / size_t(2 * pairs_per_fold));
        pairs.push_back(std::move(pair));
    }
    return pairs;
}

}  // namespace faceid
