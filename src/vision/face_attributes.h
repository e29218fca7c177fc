#pragma once
// Cheap optional attributes from the shipped models: age and gender (fr_age.onnx, fr_gender.onnx, both
// SSR-Net: three stages of 3 bins merged into one value) and whether each eye is open (fr_eye.onnx).
// Estimates for display and filtering, not for decisions about people.
#include "core/face.h"

#include <opencv2/dnn.hpp>

#include <filesystem>

namespace faceid {

struct FaceAttributes {
    double age = 0;            // years
    double gender = 0;         // SSR-Net gender value 0..1: above 0.5 male, below female
    double left_eye_open = 0;  // probability 0..1 (left as seen in the image)
    double right_eye_open = 0;
};

class AttributeEstimator {
  public:
    // Which fr_eye.onnx output class means "open" (established on open-eyed photos, docs/liveness.md).
    static constexpr int kEyeOpenClass = 1;

    AttributeEstimator(const std::filesystem::path& age_model, const std::filesystem::path& gender_model,
                       const std::filesystem::path& eye_model);
    FaceAttributes estimate(const cv::Mat& bgr, const FaceBox& box, const Landmarks68& points);

  private:
    double ssr_value(cv::dnn::Net& net, const cv::Mat& input, double scale);
    double eye_open(const cv::Mat& bgr, const Landmarks68& points, int first);

    cv::dnn::Net age_, gender_, eye_;
};

}  // namespace faceid
