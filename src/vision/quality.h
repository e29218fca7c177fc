#pragma once
// Quality figures of a face and the gates a registration photo must pass, each with a named reason.
#include "core/face.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace faceid {

// Gate thresholds; a reason is reported for each one failed.
struct QualityGates {
    double min_sharpness = 40;         // LOW_SHARPNESS below (variance of Laplacian on the 112x112 crop)
    double min_detection_score = 0.8;  // LOW_CONFIDENCE below
    double min_face_px = 60;           // SMALL_FACE when the box is narrower
    double min_inter_eye_px = 24;      // SMALL_FACE when the eyes are closer
    double max_yaw = 40;               // EXTREME_POSE beyond (degrees)
    double max_pitch = 35;
    double max_roll = 45;
    double min_brightness = 45;     // TOO_DARK below (mean grey of the crop)
    double max_brightness = 215;    // TOO_BRIGHT above
    double max_overexposed = 0.25;  // TOO_BRIGHT when more of the crop is clipped white
};

// Pose angles (degrees) estimated from the 68 landmarks: roll from the eye line, yaw from where the nose
// sits between the jaw edges, pitch from where the nose sits between the eyes and the mouth. Rough
// (a few degrees near frontal, coarser beyond 30), but enough to refuse profile or tilted photos.
struct PoseAngles {
    double yaw = 0, pitch = 0, roll = 0;
};
PoseAngles estimate_pose(const Landmarks68& points);

// Measures the face and applies the gates (Quality::reasons lists the failed ones).
Quality assess_quality(const cv::Mat& aligned_bgr, const FaceBox& box, const Landmarks68& points,
                       const QualityGates& gates);

// Variance of the Laplacian of a grey or BGR image.
double laplacian_variance(const cv::Mat& image);

}  // namespace faceid
