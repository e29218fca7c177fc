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
    // Anti-aliasing for faces much larger than the crop: when the transform shrinks the photo by more than
    // this (scale < antialias_below), the face's region is first shrunk with pixel-area averaging to scale
    // antialias_below and only the rest is left to bilinear warping, which otherwise skips photo pixels
    // (aliasing). 0 = off; 1 = area-shrink every face bigger than the crop. 0.5 helps faces of several
    // hundred pixels in whole photos and leaves LFW-sized faces (scale ~0.8) alone; 1 lowered LFW DevTest
    // cosines (docs/wild-photos.md). Off (0) by default for now, with the detector's keep_aspect and for the
    // same reason: turning it on changes stored templates' embeddings.
    float antialias_below = 0;
};

// Least-squares similarity transform (rotation, uniform scale, translation) from the five points to the
// reference points; the 2x3 matrix maps image pixels to aligned-crop pixels.
cv::Mat alignment_transform(const Landmarks5& points);
cv::Mat alignment_transform(const Landmarks5& points, AlignOptions::Method method);
// The aligned 112x112 BGR crop.
cv::Mat align_face(const cv::Mat& bgr, const Landmarks5& points, const AlignOptions& options = {});

}  // namespace faceid
