#pragma once
// 68-point facial landmarks with fr_landmark.onnx, reduced to the five points alignment uses.
#include "core/face.h"

#include <opencv2/dnn.hpp>

#include <filesystem>

namespace faceid {

struct LandmarkOptions {
    bool second_pass = true;
    // First-pass crop: 0 = the detector's box as it is; > 0 = a square of this many times the box's longer
    // side around the box's centre.
    float first_box_scale = 0;
    // Shrink the crop to 64x64 with pixel-area averaging instead of bilinear sampling, which aliases when a
    // face of several hundred pixels is brought down to 64.
    bool area_resize = false;
};

class Landmarker {
  public:
    explicit Landmarker(const std::filesystem::path& model, LandmarkOptions options = {});

    // Landmarks of the face in `box`. With the second pass, the network runs again on a square box around
    // the first pass's points (x1.15, shifted down 5%), which fits the network's training crops better
    // (LFW DevTest accuracy 99.00% -> 99.20% in the prototype).
    Landmarks68 locate(const cv::Mat& bgr, const FaceBox& box);

    const LandmarkOptions& options() const { return options_; }
    void set_options(const LandmarkOptions& options) { options_ = options; }

  private:
    Landmarks68 run(const cv::Mat& grey, cv::Rect2f box);

    cv::dnn::Net net_;
    LandmarkOptions options_;
};

// Five points from the 68: eye centres (means of 37,38,40,41 and 43,44,46,47), nose tip 30, mouth corners
// (means of 48,60 and 54,64).
Landmarks5 five_points(const Landmarks68& points);

}  // namespace faceid
