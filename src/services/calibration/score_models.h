#pragma once
// The two fitted models behind every match decision and every percentage, and their shipped constants.
// Both are fitted by `faceid eval identify --fit` on the fit side of the open-set split (people named in
// LFW's peopleDevTrain.txt) and checked on the other people; docs/open-set.md has the method and the
// figures. Pure functions of a cosine and a gallery size: no I/O.
#include <vector>

namespace faceid {

// How high a stranger's best score climbs when it is compared with `templates` enrolled templates.
// A probe's impostor scores have their own mean (some faces resemble many others), a shared spread, and a
// shared standardised upper tail G(z) = P((score - mean) / spread > z): empirical while the fit data has
// enough exceedances, exponential beyond (a straight line in log10 G, fitted on the far end of the table),
// so that the model extrapolates to galleries larger than the data; below the mean, the body is taken as
// symmetric (G(z) = 1 - G(-z)). Then
//     FPIR(t, n) = mean over the probe means m of [1 - (1 - G((t - m) / spread))^n].
struct ImpostorModel {
    std::vector<double> probe_means;  // equal-mass quantiles of the per-probe impostor mean
    double spread = 0;                // mean per-probe standard deviation
    double tail_step = 0.25;          // z step of tail_log10
    std::vector<double> tail_log10;   // log10 G(z) at z = 0, tail_step, 2 tail_step, ...
    double tail_slope = 0;            // d log10 G / dz beyond the table (negative)

    double log10_tail(double z) const;
    // The fraction of strangers whose best score among `templates` templates reaches `threshold`.
    double fpir(double threshold, double templates) const;
    // The lowest cosine at which fpir(cosine, templates) <= target.
    double threshold_for(double target_fpir, double templates) const;
};

// P(the best candidate is the right person | its cosine s, n templates searched), by Bayes' rule over
// what can produce a best score of s: the person's own template (the genuine score, modelled by a kernel
// density over fitted quantiles) beating the best of the other n - 1 templates (ImpostorModel), or an
// impostor beating them all, for an enrolled person's face or a stranger's. `enrolled_share` is the prior
// share of searched faces that belong to enrolled people (0.5: no assumption either way). With n = 1 it
// is the probability that two faces are the same person (verification).
struct MatchProbabilityModel {
    std::vector<double> genuine_quantiles;  // equal-mass quantiles of an enrolled probe's own score
    double bandwidth = 0.03;                // of the Gaussian kernel over them
    double enrolled_share = 0.5;

    double genuine_density(double cosine) const;
    double genuine_cdf(double cosine) const;
    // The probability straight from Bayes' rule (not forced monotone: see MatchProbabilityTable).
    double raw(const ImpostorModel& impostors, double cosine, double templates) const;
};

// raw() tabulated over cosines and gallery sizes (-1..1 by 0.005; 1 to 2^26 templates by powers of 2),
// made non-decreasing in the cosine along each size (at the extremes a kernel density can fall faster
// than the impostor tail, which would make a higher score look less certain), and interpolated.
class MatchProbabilityTable {
  public:
    MatchProbabilityTable(const ImpostorModel& impostors, const MatchProbabilityModel& model);
    double of(double cosine, double templates) const;

  private:
    static constexpr int kScoreSteps = 400, kSizeSteps = 27;
    std::vector<double> table_;  // [size][score]
};

// The constants fitted on this project's models (flip-averaged fr_feature.onnx embeddings).
const ImpostorModel& fitted_impostor_model();
const MatchProbabilityModel& fitted_match_probability();
// The table of the fitted models, built once.
const MatchProbabilityTable& fitted_match_probability_table();

}  // namespace faceid
