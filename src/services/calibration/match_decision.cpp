#include "services/calibration/match_decision.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>

namespace faceid {

const char* basis_name(MatchDecision::Basis basis) {
    switch (basis) {
        case MatchDecision::Basis::kTargetFpir:
            return "target_fpir";
        case MatchDecision::Basis::kConfigured:
            return "configured";
        case MatchDecision::Basis::kRequested:
            return "requested";
    }
    return "?";
}

MatchPolicy::MatchPolicy(DecisionSettings settings)
    : settings_(settings),
      impostors_(fitted_impostor_model()),
      // The fitted table is built once and shared by every policy.
      probability_(&fitted_match_probability_table(), [](const MatchProbabilityTable*) {}) {}

MatchPolicy::MatchPolicy(DecisionSettings settings, ImpostorModel impostors,
                         const MatchProbabilityModel& probability)
    : settings_(settings),
      impostors_(std::move(impostors)),
      probability_(std::make_shared<MatchProbabilityTable>(impostors_, probability)) {}

MatchDecision MatchPolicy::decide(size_t templates, std::optional<double> requested,
                                  bool may_go_below_floor) const {
    MatchDecision decision;
    decision.templates = templates;
    decision.target_fpir = settings_.target_fpir;
    // A gallery of one template needs the same care as a 1:1 comparison at the target rate; an empty one
    // matches nothing, whatever the threshold.
    const double size = double(std::max<size_t>(templates, 1));
    if (settings_.fixed_threshold) {
        decision.threshold = *settings_.fixed_threshold;
        decision.basis = MatchDecision::Basis::kConfigured;
    } else {
        decision.threshold = impostors_.threshold_for(settings_.target_fpir, size);
        decision.basis = MatchDecision::Basis::kTargetFpir;
    }
    if (requested) {
        if (*requested < settings_.floor && !may_go_below_floor)
            throw Error(ErrorCode::kThresholdBelowFloor,
                        "threshold may not be below " + std::to_string(settings_.floor).substr(0, 5) +
                            " for this API key's role.",
                        {{"field", "threshold"}, {"floor", settings_.floor}});
        decision.threshold = *requested;
        decision.basis = MatchDecision::Basis::kRequested;
    }
    decision.predicted_fpir = impostors_.fpir(decision.threshold, size);
    decision.candidate_floor = std::min(decision.threshold, settings_.floor);
    return decision;
}

double MatchPolicy::probability(double cosine, size_t templates) const {
    return probability_->of(cosine, double(std::max<size_t>(templates, 1)));
}

}  // namespace faceid
