#pragma once
// Fitting the score models (score_models.h) from evaluation data; `faceid eval identify --fit` prints the
// result as the C++ constants that score_models.cpp ships.
#include "services/calibration/score_models.h"

#include <string>
#include <vector>

namespace faceid {

// From each probe's similarities to the enrolled people who are not its own person. `mean_quantiles`
// equal-mass quantiles of the per-probe mean are kept; the tail table runs while at least
// `min_tail_count` standardised scores lie beyond its z, and its far end (G <= 1e-4) gives the slope.
ImpostorModel fit_impostor_model(const std::vector<std::vector<float>>& impostor_scores_per_probe,
                                 size_t mean_quantiles = 40, size_t min_tail_count = 20,
                                 double tail_step = 0.25);

// From enrolled probes' similarities to their own person: `quantiles` equal-mass quantiles.
MatchProbabilityModel fit_match_probability(std::vector<float> genuine_scores, size_t quantiles = 50);

std::string to_cpp(const ImpostorModel& model);
std::string to_cpp(const MatchProbabilityModel& model);

}  // namespace faceid
