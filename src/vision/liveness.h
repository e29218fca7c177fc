#pragma once
// Passive liveness (anti-spoofing) with fr_liveness.onnx: is this a live face in front of the camera, or
// a re-captured one (a printed photo or a screen held up to it)? See docs/liveness.md for how the live
// class was established and how far the score can be trusted.
#include "core/face.h"

#include <opencv2/dnn.hpp>

#include <array>
#include <filesystem>

namespace faceid {

struct LivenessScore {
    std::array<float, 3> probabilities{};  // softmax of the three logits
    float live = 0;                        // probabilities[kLiveClass]
};

class LivenessDetector {
  public:
    // The output class that means "live face", established on real photos (docs/liveness.md); the other
    // two are the model's spoof classes.
    static constexpr int kLiveClass = 0;
    // The live probability below which the services' require_live gate refuses a face, by default.
    static constexpr double kDefaultLiveThreshold = 0.5;

    // rgb: feed the crop in RGB order (as the package's JavaScript does) instead of BGR. BGR is the
    // default because it separates live from re-captured faces better (docs/liveness.md); RGB is kept
    // for the comparison in `faceid bench liveness --rgb`.
    explicit LivenessDetector(const std::filesystem::path& model, bool rgb = false);
    LivenessScore score(const cv::Mat& bgr, const FaceBox& box);

  private:
    cv::dnn::Net net_;
    bool rgb_;
};

// The model's input region: the box enlarged `scale` times around its centre (less if the image is too
// small), shifted to lie inside the image.
cv::Rect liveness_region(const cv::Size& image, const FaceBox& box, double scale = 2.7);

}  // namespace faceid
