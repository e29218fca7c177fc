#include "services/open_set_metrics.h"

#include <algorithm>

namespace faceid {

namespace {
bool right_person(const ProbeOutcome& p) {
    return p.known && !p.best.empty() && p.best == p.truth;
}

template <typename Accepts>
OpenSetRates rates(const std::vector<ProbeOutcome>& probes, Accepts accepts) {
    OpenSetRates r;
    size_t false_positives = 0, misses = 0, wrong = 0;
    for (const auto& p : probes) {
        const bool accepted = !p.best.empty() && accepts(p);
        if (!p.known) {
            ++r.unknown;
            if (accepted) ++false_positives;
            continue;
        }
        ++r.known;
        if (!accepted || p.best != p.truth) ++misses;
        if (accepted && p.best != p.truth) ++wrong;
    }
    if (r.unknown) r.fpir = double(false_positives) / double(r.unknown);
    if (r.known) {
        r.fnir = double(misses) / double(r.known);
        r.wrong_person = double(wrong) / double(r.known);
    }
    return r;
}
}  // namespace

OpenSetRates rates_of_decisions(const std::vector<ProbeOutcome>& probes) {
    return rates(probes, [](const ProbeOutcome& p) { return p.matched; });
}

OpenSetRates rates_at_threshold(const std::vector<ProbeOutcome>& probes, double threshold) {
    return rates(probes, [threshold](const ProbeOutcome& p) { return p.best_score >= threshold; });
}

double rank1(const std::vector<ProbeOutcome>& probes) {
    size_t known = 0, right = 0;
    for (const auto& p : probes) {
        if (!p.known) continue;
        ++known;
        if (right_person(p)) ++right;
    }
    return known ? double(right) / double(known) : 0;
}

std::vector<DetPoint> det_curve(const std::vector<ProbeOutcome>& probes) {
    std::vector<double> thresholds;
    for (const auto& p : probes)
        if (!p.known && !p.best.empty()) thresholds.push_back(p.best_score);
    std::sort(thresholds.begin(), thresholds.end(), std::greater<>());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    // Just above the highest stranger score: no stranger is matched.
    thresholds.insert(thresholds.begin(), thresholds.empty() ? 1.0 : thresholds.front() + 1e-6);
    std::vector<DetPoint> curve;
    curve.reserve(thresholds.size());
    for (double t : thresholds) {
        const auto r = rates_at_threshold(probes, t);
        curve.push_back({t, r.fpir, r.fnir});
    }
    return curve;
}

DetPoint fnir_at_fpir(const std::vector<ProbeOutcome>& probes, double fpir) {
    DetPoint best{1.0, 0.0, 1.0};
    bool found = false;
    for (const auto& point : det_curve(probes))
        if (point.fpir <= fpir && (!found || point.fnir < best.fnir)) {
            best = point;
            found = true;
        }
    return best;
}

std::vector<ReliabilityBin> reliability_table(const std::vector<ProbeOutcome>& probes,
                                              const std::vector<double>& edges, size_t min_probes) {
    std::vector<ReliabilityBin> bins;
    for (size_t i = 0; i + 1 < edges.size(); ++i) bins.push_back({edges[i], edges[i + 1], 0, 0, 0, 0});
    for (const auto& p : probes) {
        if (p.best.empty()) continue;
        for (size_t i = 0; i < bins.size(); ++i) {
            const bool last = i + 1 == bins.size();
            if (p.probability >= bins[i].low && (p.probability < bins[i].high || last)) {
                ++bins[i].probes;
                bins[i].weight += p.weight;
                bins[i].predicted += p.weight * p.probability;
                bins[i].observed += right_person(p) ? p.weight : 0;
                break;
            }
        }
    }
    // Merge each small bin into its upper neighbour (the last into its lower one).
    auto absorb = [](ReliabilityBin& into, const ReliabilityBin& from) {
        into.low = std::min(into.low, from.low);
        into.high = std::max(into.high, from.high);
        into.probes += from.probes;
        into.weight += from.weight;
        into.predicted += from.predicted;
        into.observed += from.observed;
    };
    std::vector<ReliabilityBin> merged;
    for (const auto& bin : bins) {
        if (!merged.empty() && merged.back().probes < min_probes)
            absorb(merged.back(), bin);
        else
            merged.push_back(bin);
    }
    while (merged.size() > 1 && merged.back().probes < min_probes) {
        const auto last = merged.back();
        merged.pop_back();
        absorb(merged.back(), last);
    }
    for (auto& m : merged)
        if (m.weight > 0) {
            m.predicted /= m.weight;
            m.observed /= m.weight;
        }
    return merged;
}

}  // namespace faceid
