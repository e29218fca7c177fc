#include "vision/calibration.h"

#include <algorithm>
#include <cmath>

namespace faceid {
namespace {
double logit(double p) {
    return std::log(p / (1 - p));
}
}  // namespace

double SimilarityCalibration::percentage(double cosine) const {
    const double z = slope * (cosine - threshold) + logit(kThresholdPercentage / 100);
    return 100.0 / (1.0 + std::exp(-z));
}

double SimilarityCalibration::cosine_for(double pct) const {
    const double p = std::clamp(pct / 100.0, 1e-9, 1 - 1e-9);
    return threshold + (logit(p) - logit(kThresholdPercentage / 100)) / slope;
}

}  // namespace faceid
