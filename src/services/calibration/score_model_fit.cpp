#include "services/calibration/score_model_fit.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace faceid {

ImpostorModel fit_impostor_model(const std::vector<std::vector<float>>& scores, size_t mean_quantiles,
                                 size_t min_tail_count, double tail_step) {
    std::vector<double> means, spreads;
    std::vector<float> z;  // every standardised impostor score
    for (const auto& probe : scores) {
        if (probe.size() < 2) continue;
        const double mean = std::accumulate(probe.begin(), probe.end(), 0.0) / double(probe.size());
        double var = 0;
        for (float s : probe) var += (s - mean) * (s - mean);
        const double sd = std::sqrt(var / double(probe.size()));
        if (sd <= 0) continue;
        means.push_back(mean);
        spreads.push_back(sd);
        for (float s : probe) z.push_back(float((s - mean) / sd));
    }
    if (means.size() < mean_quantiles) throw Error(ErrorCode::kInvalidField, "too few probes to fit on");
    ImpostorModel model;
    std::sort(means.begin(), means.end());
    for (size_t q = 0; q < mean_quantiles; ++q)
        model.probe_means.push_back(
            means[size_t((double(q) + 0.5) / double(mean_quantiles) * double(means.size()))]);
    model.spread = std::accumulate(spreads.begin(), spreads.end(), 0.0) / double(spreads.size());
    model.tail_step = tail_step;
    std::sort(z.begin(), z.end(), std::greater<>());
    const double n = double(z.size());
    for (double at = 0;; at += tail_step) {
        // Scores strictly beyond `at`: the first index whose value is <= at.
        const size_t beyond =
            size_t(std::lower_bound(z.begin(), z.end(), float(at), std::greater<>()) - z.begin());
        if (beyond < min_tail_count) break;
        model.tail_log10.push_back(std::log10(double(beyond) / n));
    }
    // The far end's slope (least squares over table points with G <= 1e-4; at least the last three).
    std::vector<std::pair<double, double>> far;
    for (size_t i = 0; i < model.tail_log10.size(); ++i)
        if (model.tail_log10[i] <= -4 || i + 3 >= model.tail_log10.size())
            far.emplace_back(double(i) * tail_step, model.tail_log10[i]);
    double mx = 0, my = 0;
    for (const auto& [x, y] : far) mx += x, my += y;
    mx /= double(far.size());
    my /= double(far.size());
    double sxy = 0, sxx = 0;
    for (const auto& [x, y] : far) sxy += (x - mx) * (y - my), sxx += (x - mx) * (x - mx);
    model.tail_slope = sxx > 0 ? std::min(sxy / sxx, -0.1) : -1.0;  // a tail must fall
    return model;
}

MatchProbabilityModel fit_match_probability(std::vector<float> genuine_scores, size_t quantiles) {
    if (genuine_scores.size() < quantiles) throw Error(ErrorCode::kInvalidField, "too few genuine scores");
    std::sort(genuine_scores.begin(), genuine_scores.end());
    MatchProbabilityModel model;
    for (size_t q = 0; q < quantiles; ++q)
        model.genuine_quantiles.push_back(
            genuine_scores[size_t((double(q) + 0.5) / double(quantiles) * double(genuine_scores.size()))]);
    return model;
}

namespace {
// "{a, b, ...}" with `digits` decimals, twelve values a line (the shipped tables' layout).
std::string cpp_list(const std::vector<double>& values, int digits) {
    std::string out = "{";
    char buffer[64];
    for (size_t i = 0; i < values.size(); ++i) {
        std::snprintf(buffer, sizeof buffer, "%s%.*f",
                      i == 0   ? ""
                      : i % 12 ? ", "
                               : ",\n     ",
                      digits, values[i]);
        out += buffer;
    }
    return out + "}";
}
}  // namespace

std::string to_cpp(const ImpostorModel& model) {
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, ",\n    %.5f,\n    %.2f,\n    ", model.spread, model.tail_step);
    std::string out =
        "ImpostorModel{\n    " + cpp_list(model.probe_means, 4) + buffer + cpp_list(model.tail_log10, 3);
    std::snprintf(buffer, sizeof buffer, ",\n    %.4f}", model.tail_slope);
    return out + buffer;
}

std::string to_cpp(const MatchProbabilityModel& model) {
    char buffer[128];
    std::snprintf(buffer, sizeof buffer, ",\n    %.3f,\n    %.2f}", model.bandwidth, model.enrolled_share);
    return "MatchProbabilityModel{\n    " + cpp_list(model.genuine_quantiles, 4) + buffer;
}

}  // namespace faceid
