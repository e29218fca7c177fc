#pragma once
// Synthetic "photo of a photo": renders an image as if it were printed or shown on a screen and then
// photographed again (perspective, a surround, screen moire, glare, softness, colour cast, JPEG). Used to
// establish and check the liveness model's classes without real spoof photos (docs/liveness.md).
#include <opencv2/core.hpp>

#include <cstdint>

namespace faceid {

struct RecaptureStyle {
    bool screen = true;   // moire of a pixel grid (screen) rather than paper texture (print)
    double tilt = 0.08;   // perspective: corners moved by up to this fraction of the size
    double glare = 0.5;   // strength of a bright glare spot, 0..1
    double moire = 0.12;  // amplitude of the moire pattern
    int jpeg_quality = 80;
};

// Deterministic for a given seed.
cv::Mat simulate_recapture(const cv::Mat& bgr, const RecaptureStyle& style, uint32_t seed);

}  // namespace faceid
