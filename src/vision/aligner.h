#pragma once
// Similarity-transform alignment of a face onto the 112x112 ArcFace reference points.
#include "core/face.h"

#include <opencv2/core.hpp>

namespace faceid {

inline constexpr int kAlignedSize = 112;

// Least-squares similarity transform (rotation, uniform scale, translation) from the five points to the
// reference points; the 2x3 matrix maps image pixels to aligned-crop pixels.
cv::Mat alignment_transform(const Landmarks5& points);
// The aligned 112x112 BGR crop.
cv::Mat align_face(const cv::Mat& bgr, const Landmarks5& points);

}  // namespace faceid
