#include "services/calibration/score_models.h"

#include <algorithm>
#include <cmath>

namespace faceid {

double ImpostorModel::log10_tail(double z) const {
    if (tail_log10.empty()) return 0;
    // Below the mean the body is taken as symmetric: G(z) = 1 - G(-z).
    if (z < 0) return std::log10(std::max(1 - std::pow(10.0, log10_tail(-z)), 1e-300));
    const double last_z = tail_step * double(tail_log10.size() - 1);
    if (z >= last_z) return tail_log10.back() + tail_slope * (z - last_z);
    const double position = z / tail_step;
    const size_t i = size_t(position);
    const double f = position - double(i);
    return tail_log10[i] * (1 - f) + tail_log10[i + 1] * f;
}

double ImpostorModel::fpir(double threshold, double templates) const {
    if (probe_means.empty() || spread <= 0 || templates <= 0) return 0;
    double sum = 0;
    for (double mean : probe_means) {
        const double g = std::min(std::pow(10.0, log10_tail((threshold - mean) / spread)), 1.0 - 1e-15);
        sum += -std::expm1(templates * std::log1p(-g));  // 1 - (1 - g)^n without cancellation
    }
    return sum / double(probe_means.size());
}

double ImpostorModel::threshold_for(double target_fpir, double templates) const {
    double low = -1, high = 1;  // fpir falls as the threshold rises
    for (int i = 0; i < 60; ++i) {
        const double mid = (low + high) / 2;
        (fpir(mid, templates) > target_fpir ? low : high) = mid;
    }
    return high;
}

namespace {
constexpr double kPi = 3.14159265358979323846;
}

double MatchProbabilityModel::genuine_density(double cosine) const {
    double sum = 0;
    for (double q : genuine_quantiles) {
        const double z = (cosine - q) / bandwidth;
        sum += std::exp(-0.5 * z * z);
    }
    return sum / (double(genuine_quantiles.size()) * bandwidth * std::sqrt(2 * kPi));
}

double MatchProbabilityModel::genuine_cdf(double cosine) const {
    double sum = 0;
    for (double q : genuine_quantiles) sum += 0.5 * std::erfc(-(cosine - q) / (bandwidth * std::sqrt(2.0)));
    return sum / double(genuine_quantiles.size());
}

double MatchProbabilityModel::raw(const ImpostorModel& impostors, double cosine, double templates) const {
    constexpr double h = 1e-3;  // step of the numerical derivative of the impostor model
    // Density of the best of n impostor scores at s: -d/ds P(best >= s).
    auto best_impostor_density = [&](double n) {
        if (n <= 0) return 0.0;
        return std::max(0.0, (impostors.fpir(cosine - h, n) - impostors.fpir(cosine + h, n)) / (2 * h));
    };
    const double others = std::max(templates - 1, 0.0);
    const double own_wins = genuine_density(cosine) * (1 - impostors.fpir(cosine, others));
    const double impostor_beats_own = best_impostor_density(others) * genuine_cdf(cosine);
    const double stranger = best_impostor_density(templates);
    const double right = enrolled_share * own_wins;
    const double wrong = enrolled_share * impostor_beats_own + (1 - enrolled_share) * stranger;
    return right + wrong > 0 ? right / (right + wrong) : 0;
}

MatchProbabilityTable::MatchProbabilityTable(const ImpostorModel& impostors,
                                             const MatchProbabilityModel& model)
    : table_(size_t(kSizeSteps) * (kScoreSteps + 1)) {
    for (int n = 0; n < kSizeSteps; ++n) {
        double highest = 0;
        for (int i = 0; i <= kScoreSteps; ++i) {
            const double cosine = -1 + 2.0 * i / kScoreSteps;
            highest = std::max(highest, model.raw(impostors, cosine, std::ldexp(1.0, n)));
            table_[size_t(n) * (kScoreSteps + 1) + size_t(i)] = highest;
        }
    }
}

double MatchProbabilityTable::of(double cosine, double templates) const {
    const double s = std::clamp((cosine + 1) / 2 * kScoreSteps, 0.0, double(kScoreSteps));
    const double n = std::clamp(std::log2(std::max(templates, 1.0)), 0.0, double(kSizeSteps - 1));
    const int si = std::min(int(s), kScoreSteps - 1), ni = std::min(int(n), kSizeSteps - 2);
    const double fs = s - si, fn = n - ni;
    auto at = [&](int size, int score) { return table_[size_t(size) * (kScoreSteps + 1) + size_t(score)]; };
    const double low = at(ni, si) * (1 - fs) + at(ni, si + 1) * fs;
    const double high = at(ni + 1, si) * (1 - fs) + at(ni + 1, si + 1) * fs;
    return low * (1 - fn) + high * fn;
}

// Fitted by `faceid eval identify --root ../shared/data/lfw --fit` (docs/open-set.md): 6.5 M impostor
// scores of 2,458 fit-side probes against 2,648 fit-side enrolled people; the genuine scores of the 1,173
// enrolled fit-side probes against their own person.
// clang-format off
const ImpostorModel& fitted_impostor_model() {
    static const ImpostorModel model{
        {0.0433, 0.0489, 0.0524, 0.0553, 0.0574, 0.0593, 0.0608, 0.0621, 0.0636, 0.0648, 0.0662, 0.0673,
         0.0685, 0.0695, 0.0706, 0.0717, 0.0726, 0.0736, 0.0746, 0.0755, 0.0764, 0.0775, 0.0782, 0.0792,
         0.0802, 0.0810, 0.0819, 0.0830, 0.0839, 0.0849, 0.0861, 0.0869, 0.0882, 0.0892, 0.0908, 0.0929,
         0.0952, 0.0976, 0.1007, 0.1068},
        0.09097,
        0.25,
        {-0.306, -0.404, -0.520, -0.654, -0.808, -0.979, -1.167, -1.371, -1.590, -1.824, -2.069, -2.328,
         -2.596, -2.880, -3.171, -3.479, -3.787, -4.134, -4.497, -4.864, -5.180, -5.351, -5.512},
        -1.1164};
    return model;
}

const MatchProbabilityModel& fitted_match_probability() {
    static const MatchProbabilityModel model{
        {0.1749, 0.4132, 0.4688, 0.4988, 0.5158, 0.5341, 0.5416, 0.5572, 0.5650, 0.5769, 0.5887, 0.5941,
         0.6025, 0.6111, 0.6157, 0.6234, 0.6332, 0.6390, 0.6445, 0.6527, 0.6591, 0.6659, 0.6716, 0.6761,
         0.6811, 0.6856, 0.6910, 0.6987, 0.7049, 0.7092, 0.7127, 0.7198, 0.7269, 0.7320, 0.7363, 0.7429,
         0.7505, 0.7564, 0.7649, 0.7714, 0.7795, 0.7869, 0.7930, 0.7987, 0.8078, 0.8170, 0.8257, 0.8412,
         0.8658, 0.8944},
        0.030,
        0.50};
    return model;
}
// clang-format on

const MatchProbabilityTable& fitted_match_probability_table() {
    static const MatchProbabilityTable table(fitted_impostor_model(), fitted_match_probability());
    return table;
}

}  // namespace faceid
