#pragma once
// Similarity-transform alignment of a face onto the 112x112 ArcFace reference points.
#include "core/face.h"

#include <opencv2/core.hpp>

namespace faceid {

inline constexpr int kAlignedSize = 112;

struct AlignOptions {
    enum class Method {
        kLeastSquares,  // closed-form least squares over all five points
        kRansac,        // cv::estimateAffinePartial2D with its defaults (RANSAC, 3 px in the 112 crop)
        kLmeds,         // cv::estimateAffinePartial2D with LMEDS
    };
    Method method = Method::kLeastSquares;
    // When the face is shrunk (scale < 1), first shrink the face's region with pixel-area averaging to the
    // crop's scale and warp that, instead of bilinear sampling of the full-resolution photo (which aliases).
    bool antialias = false;
};

// Least-squares similarity transform (rotation, uniform scale, translation) from the five points to the
// reference points; the 2x3 matrix maps image pixels to aligned-crop pixels.
cv::Mat alignment_transform(const Landmarks5& points);
cv::Mat alignment_transform(const Landmarks5& points, AlignOptions::Method method);
// The aligned 112x112 BGR crop.
cv::Mat align_face(const cv::Mat& bgr, const Landmarks5& points, const AlignOptions& options = {});

}  // namespace faceid
