#include "vision/face_attributes.h"

#include "vision/liveness.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace faceid {

AttributeEstimator::AttributeEstimator(const std::filesystem::path& age_model,
                                       const std::filesystem::path& gender_model,
                                       const std::filesystem::path& eye_model)
    : age_(cv::dnn::readNetFromONNX(age_model.string())),
      gender_(cv::dnn::readNetFromONNX(gender_model.string())),
      eye_(cv::dnn::readNetFromONNX(eye_model.string())) {}

// SSR-Net's merge of its three stages (s1 = s2 = s3 = 3, lambda_local = lambda_d = 1), times V.
double AttributeEstimator::ssr_value(cv::dnn::Net& net, const cv::Mat& input, double scale) {
    static const std::vector<std::string> kOutputs = {
        "prob_stage_1",        "prob_stage_2",        "prob_stage_3",
        "stage1_delta_k",      "stage2_delta_k",      "stage3_delta_k",
        "index_offset_stage1", "index_offset_stage2", "index_offset_stage3"};
    net.setInput(input);
    std::vector<cv::Mat> out;
    net.forward(out, kOutputs);
    auto at = [&](int output, int i) { return double(out[output].ptr<float>()[i]); };
    double value = 0, divisor = 1;
    for (int stage = 0; stage < 3; ++stage) {
        double sum = 0;
        for (int i = 0; i < 3; ++i) sum += (i + at(6 + stage, i)) * at(stage, i);
        divisor *= 3 * (1 + at(3 + stage, 0));
        value += sum / divisor;
    }
    return value * scale;
}

double AttributeEstimator::eye_open(const cv::Mat& bgr, const Landmarks68& p, int first) {
    // Eye centre from the four lid points, square side 1.6 x the corner-to-corner width.
    const cv::Point2f centre = (p[first + 1] + p[first + 2] + p[first + 4] + p[first + 5]) * 0.25f;
    const float side = std::max(4.f, (p[first + 3].x - p[first].x) * 1.6f);
    cv::Rect rect(int(centre.x - side / 2), int(centre.y - side / 2), int(side), int(side));
    rect &= cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (rect.width < 2 || rect.height < 2) return 0;
    cv::Mat grey;
    cv::cvtColor(bgr(rect), grey, cv::COLOR_BGR2GRAY);
    cv::Mat blob = cv::dnn::blobFromImage(grey, 1.0 / 255, cv::Size(24, 24));
    eye_.setInput(blob);
    const cv::Mat logits = eye_.forward("output");
    const float* l = logits.ptr<float>();
    const double a = l[kEyeOpenClass], b = l[1 - kEyeOpenClass];
    return 1.0 / (1.0 + std::exp(b - a));
}

FaceAttributes AttributeEstimator::estimate(const cv::Mat& bgr, const FaceBox& box,
                                            const Landmarks68& points) {
    FaceAttributes attributes;
    // The box enlarged 1.4x, RGB, ImageNet mean/std normalisation, 64x64 (the models' reference code).
    cv::Rect region = liveness_region(bgr.size(), box, 1.4);
    if (region.area() <= 0) region = cv::Rect(0, 0, bgr.cols, bgr.rows);
    cv::Mat rgb, resized;
    cv::cvtColor(bgr(region), rgb, cv::COLOR_BGR2RGB);
    cv::resize(rgb, resized, cv::Size(64, 64));
    resized.convertTo(resized, CV_32FC3, 1.0 / 255);
    cv::subtract(resized, cv::Scalar(0.485, 0.456, 0.406), resized);
    cv::divide(resized, cv::Scalar(0.229, 0.224, 0.225), resized);
    const cv::Mat input = cv::dnn::blobFromImage(resized);
    attributes.age = ssr_value(age_, input, 101);
    attributes.gender = std::clamp(ssr_value(gender_, input, 1), 0.0, 1.0);
    attributes.left_eye_open = eye_open(bgr, points, 36);
    attributes.right_eye_open = eye_open(bgr, points, 42);
    return attributes;
}

}  // namespace faceid
