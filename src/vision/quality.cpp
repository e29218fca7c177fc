#include "vision/quality.h"

#include "vision/landmarker.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace faceid {
namespace {

constexpr double kDegrees = 180.0 / M_PI;

double clamp01(double x) {
    return std::clamp(x, 0.0, 1.0);
}

cv::Point2d rotate(cv::Point2d p, double angle) {
    const double c = std::cos(angle), s = std::sin(angle);
    return {c * p.x - s * p.y, s * p.x + c * p.y};
}

}  // namespace

double laplacian_variance(const cv::Mat& image) {
    cv::Mat grey, lap;
    if (image.channels() == 3)
        cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    else
        grey = image;
    cv::Laplacian(grey, lap, CV_64F);
    cv::Scalar mean, stddev;
    cv::meanStdDev(lap, mean, stddev);
    return stddev[0] * stddev[0];
}

PoseAngles estimate_pose(const Landmarks68& p) {
    const auto five = five_points(p);
    PoseAngles pose;
    const cv::Point2d eye_vec = five[1] - five[0];
    const double roll = std::atan2(eye_vec.y, eye_vec.x);
    pose.roll = roll * kDegrees;

    // Undo the roll around the nose so that yaw and pitch are measured along the face's own axes.
    const cv::Point2d nose = p[30];
    auto upright = [&](cv::Point2f q) { return rotate(cv::Point2d(q) - nose, -roll); };
    const double left_jaw = -upright(p[0]).x, right_jaw = upright(p[16]).x;  // distances from the nose
    const double width = left_jaw + right_jaw;
    if (width > 1e-6) pose.yaw = std::asin(std::clamp((left_jaw - right_jaw) / width, -1.0, 1.0)) * kDegrees;

    const cv::Point2d eyes = (upright(five[0]) + upright(five[1])) * 0.5;
    const cv::Point2d mouth = (upright(five[3]) + upright(five[4])) * 0.5;
    const double eye_to_mouth = mouth.y - eyes.y;
    if (eye_to_mouth > 1e-6) {
        // Frontal faces put the nose tip about 0.55 of the way from the eyes to the mouth; the ratio moves
        // by about 0.45 between frontal and a 45-degree tilt.
        const double ratio = -eyes.y / eye_to_mouth;
        pose.pitch = std::asin(std::clamp((ratio - 0.55) / 0.45 * std::sin(M_PI / 4), -1.0, 1.0)) * kDegrees;
    }
    return pose;
}

Quality assess_quality(const cv::Mat& aligned_bgr, const FaceBox& box, const Landmarks68& points,
                       const QualityGates& gates) {
    Quality q;
    cv::Mat grey;
    cv::cvtColor(aligned_bgr, grey, cv::COLOR_BGR2GRAY);
    q.sharpness = laplacian_variance(grey);
    q.detection_score = box.score;
    q.face_width_px = box.width();
    q.face_height_px = box.height();
    const auto five = five_points(points);
    q.inter_eye_px = cv::norm(five[1] - five[0]);
    const auto pose = estimate_pose(points);
    q.yaw = pose.yaw;
    q.pitch = pose.pitch;
    q.roll = pose.roll;
    // Exposure over the central face area only (the aligned crop's corners are background or black border).
    const cv::Mat centre = grey(cv::Rect(24, 24, 64, 72));
    q.brightness = cv::mean(centre)[0];
    q.overexposed = double(cv::countNonZero(centre >= 250)) / double(centre.total());

    if (q.sharpness < gates.min_sharpness) q.reasons.push_back(QualityReason::kLowSharpness);
    if (q.detection_score < gates.min_detection_score) q.reasons.push_back(QualityReason::kLowConfidence);
    if (q.face_width_px < gates.min_face_px || q.inter_eye_px < gates.min_inter_eye_px)
        q.reasons.push_back(QualityReason::kSmallFace);
    if (std::abs(q.yaw) > gates.max_yaw || std::abs(q.pitch) > gates.max_pitch ||
        std::abs(q.roll) > gates.max_roll)
        q.reasons.push_back(QualityReason::kExtremePose);
    if (q.brightness < gates.min_brightness) q.reasons.push_back(QualityReason::kTooDark);
    if (q.brightness > gates.max_brightness || q.overexposed > gates.max_overexposed)
        q.reasons.push_back(QualityReason::kTooBright);

    // One score for choosing a person's best photo: the product of per-figure scores in 0..1, so that one
    // bad figure is enough to lose (a sharp profile is not a good primary photo).
    const double sharp = clamp01(q.sharpness / 300.0);
    const double size = clamp01(q.inter_eye_px / 60.0);
    const double frontal = clamp01(1.0 - std::abs(q.yaw) / 60.0) * clamp01(1.0 - std::abs(q.pitch) / 50.0);
    const double exposure =
        clamp01(1.0 - std::abs(q.brightness - 125.0) / 125.0) * clamp01(1.0 - q.overexposed * 2);
    const double confidence = clamp01(q.detection_score);
    q.score = std::pow(std::max(1e-6, (0.3 + 0.7 * sharp) * (0.4 + 0.6 * size) * (0.2 + 0.8 * frontal) *
                                          (0.5 + 0.5 * exposure) * (0.5 + 0.5 * confidence)),
                       1.0 / 2.0);
    q.score = clamp01(q.score);
    return q;
}

}  // namespace faceid
