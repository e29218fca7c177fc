#pragma once
// How a search decides that its best candidate is a match, and the percentage it shows.
// A search compares a face with every template in the gallery, so the chance that some stranger's face
// passes a fixed cosine grows with the gallery. The default decision therefore aims at a false-positive
// identification rate (target_fpir: the fraction of strangers reported as someone) at the gallery's current
// size, through the fitted ImpostorModel; the threshold rises as the gallery grows. A fixed threshold can be
// configured instead, and a caller can ask for a stricter one per request; only an admin may go below the
// configured floor.
#include "services/calibration/score_models.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace faceid {

struct DecisionSettings {
    double target_fpir = 0.01;
    std::optional<double> fixed_threshold;  // the configured `threshold`: replaces the target_fpir decision
    double floor = 0.333;                   // lowest threshold a non-admin caller may ask for
};

struct MatchDecision {
    enum class Basis { kTargetFpir, kConfigured, kRequested };
    double threshold = 0;  // cosine the best candidate must reach
    Basis basis = Basis::kTargetFpir;
    double target_fpir = 0;
    size_t templates = 0;       // gallery size the decision was made for (templates searched)
    double predicted_fpir = 0;  // what the impostor model predicts for this threshold and size
    // Candidates are listed down to here (flagged below_threshold when under `threshold`).
    double candidate_floor = 0;
};

const char* basis_name(MatchDecision::Basis basis);

class MatchPolicy {
  public:
    // 1:1 decisions (POST /verify, a photo added to a known person): the cosine at a false-accept rate of
    // 1e-3 on LFW's pairsDevTrain (`faceid eval --pairs pairsDevTrain.txt`).
    static constexpr double kVerifyThreshold = 0.333;

    // With the fitted models (score_models.h).
    explicit MatchPolicy(DecisionSettings settings = {});
    // With other models (evaluation of a new fit).
    MatchPolicy(DecisionSettings settings, ImpostorModel impostors, const MatchProbabilityModel& probability);

    // The decision for a gallery of `templates` templates. `requested` is the caller's threshold: below
    // the floor it throws Error(kThresholdBelowFloor) unless `may_go_below_floor` (admin).
    MatchDecision decide(size_t templates, std::optional<double> requested = std::nullopt,
                         bool may_go_below_floor = false) const;
    // Probability (0..1) that a best candidate with this cosine is the right person, in a gallery of
    // `templates` templates (1 for a comparison of two faces).
    double probability(double cosine, size_t templates) const;

    const DecisionSettings& settings() const { return settings_; }
    const ImpostorModel& impostors() const { return impostors_; }

  private:
    DecisionSettings settings_;
    ImpostorModel impostors_;
    std::shared_ptr<const MatchProbabilityTable> probability_;
};

}  // namespace faceid
