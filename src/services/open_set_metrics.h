#pragma once
// Open-set identification metrics (ISO/IEC 19795-1 terms) over probes searched against a gallery:
// - FPIR: the fraction of strangers (probes of people not in the gallery) matched to anyone;
// - FNIR: the fraction of known probes not returned as their own person (no match, or someone else);
// - wrong-person rate: the fraction of known probes matched to someone else;
// - rank-1: the fraction of known probes whose best candidate is their own person, whatever its score.
// Plus the DET curve (FNIR against FPIR over all thresholds) and a reliability table of a predicted
// probability that the best candidate is the right person.
#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct ProbeOutcome {
    bool known = false;      // this probe's person is in the gallery
    std::string truth;       // that person's id (known probes)
    std::string best;        // the best candidate's person id; empty if the gallery is empty
    double best_score = -2;  // its similarity
    bool matched = false;    // the decision under test accepted the best candidate
    double probability = 0;  // predicted probability that `best` is the right person (0..1)
    double weight = 1;       // in the reliability table (e.g. to weigh known probes and strangers equally)
};

struct OpenSetRates {
    size_t known = 0, unknown = 0;
    double fpir = 0, fnir = 0, wrong_person = 0;
};

// The rates of the decisions recorded in `matched`.
OpenSetRates rates_of_decisions(const std::vector<ProbeOutcome>& probes);
// The rates if every probe were decided by one threshold on best_score.
OpenSetRates rates_at_threshold(const std::vector<ProbeOutcome>& probes, double threshold);
double rank1(const std::vector<ProbeOutcome>& probes);

struct DetPoint {
    double threshold = 0, fpir = 0, fnir = 0;
};
// One point per distinct stranger score (the thresholds where FPIR changes), highest first, plus the point
// where no stranger is matched.
std::vector<DetPoint> det_curve(const std::vector<ProbeOutcome>& probes);
// The lowest FNIR among thresholds whose FPIR is at most `fpir`, and that threshold.
DetPoint fnir_at_fpir(const std::vector<ProbeOutcome>& probes, double fpir);

struct ReliabilityBin {
    double low = 0, high = 0;  // predicted probability range
    size_t probes = 0;
    double weight = 0;
    double predicted = 0;  // mean predicted probability
    double observed = 0;   // fraction whose best candidate is the right person
};
// Bins of predicted probability (edges `edges`), each merged with its neighbour until it holds at least
// `min_probes` probes; predicted and observed are weighted means (ProbeOutcome::weight). Strangers count as
// wrong whatever the candidate.
std::vector<ReliabilityBin> reliability_table(const std::vector<ProbeOutcome>& probes,
                                              const std::vector<double>& edges, size_t min_probes = 30);

}  // namespace faceid
