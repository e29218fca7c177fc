#include "vision/aligner.h"

#include <opencv2/imgproc.hpp>

#include <vector>

namespace faceid {
namespace {
const std::vector<cv::Point2f> kReference = {{38.2946f, 51.6963f},
                                             {73.5318f, 51.5014f},
                                             {56.0252f, 71.7366f},
                                             {41.5493f, 92.3655f},
                                             {70.7299f, 92.2041f}};
}

cv::Mat alignment_transform(const Landmarks5& points) {
    // Closed-form least squares for x' = [a -b; b a] x + t (rotation + uniform scale, no reflection):
    // with centred points, a = sum(s.d) / sum(|s|^2) and b = sum(s x d) / sum(|s|^2).
    cv::Point2f src_mean(0, 0), dst_mean(0, 0);
    for (int i = 0; i < 5; ++i) {
        src_mean += points[i];
        dst_mean += kReference[i];
    }
    src_mean *= 0.2f;
    dst_mean *= 0.2f;
    double dot_sum = 0, cross_sum = 0, norm_sum = 0;
    for (int i = 0; i < 5; ++i) {
        const cv::Point2d s = points[i] - src_mean, d = kReference[i] - dst_mean;
        dot_sum += s.x * d.x + s.y * d.y;
        cross_sum += s.x * d.y - s.y * d.x;
        norm_sum += s.x * s.x + s.y * s.y;
    }
    if (norm_sum < 1e-9) norm_sum = 1e-9;  // degenerate (all points equal): avoid dividing by zero
    const double a = dot_sum / norm_sum, b = cross_sum / norm_sum;
    const double tx = dst_mean.x - (a * src_mean.x - b * src_mean.y);
    const double ty = dst_mean.y - (b * src_mean.x + a * src_mean.y);
    return (cv::Mat_<double>(2, 3) << a, -b, tx, b, a, ty);
}

cv::Mat align_face(const cv::Mat& bgr, const Landmarks5& points) {
    cv::Mat aligned;
    cv::warpAffine(bgr, aligned, alignment_transform(points), cv::Size(kAlignedSize, kAlignedSize),
                   cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
    return aligned;
}

}  // namespace faceid
