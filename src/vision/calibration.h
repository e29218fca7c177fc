#pragma once
// Turns a cosine similarity into the percentage users see. Cosine x 100 would be misleading (two different
// people often score 0.2-0.4, the same person ~0.6), so the percentage is a logistic curve fitted on the
// LFW pairsDevTrain list, shifted so that the default match threshold is exactly kThresholdPercentage:
//     percentage = 100 / (1 + exp(-(slope * (cosine - threshold) + logit(kThresholdPercentage / 100))))
// It is strictly increasing in the cosine, so ranking by either gives the same order.
namespace faceid {

struct SimilarityCalibration {
    static constexpr double kThresholdPercentage = 80.0;

    // Defaults measured with `faceid eval --pairs ../shared/data/lfw/pairsDevTrain.txt --fit` (see README):
    // threshold = cosine at a false-accept rate of 1e-3 on DevTrain, slope = the logistic fit's slope.
    double threshold = 0.333;
    double slope = 36.2;

    double percentage(double cosine) const;
    bool is_match(double cosine) const { return cosine >= threshold; }
    // The cosine that maps to a given percentage (inverse of percentage()).
    double cosine_for(double percentage) const;
};

}  // namespace faceid
