#include "vision/aligner.h"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

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

cv::Mat alignment_transform(const Landmarks5& points, AlignOptions::Method method) {
    if (method == AlignOptions::Method::kLeastSquares) return alignment_transform(points);
    const std::vector<cv::Point2f> from(points.begin(), points.end());
    cv::Mat m = cv::estimateAffinePartial2D(from, kReference, cv::noArray(),
                                            method == AlignOptions::Method::kRansac ? cv::RANSAC : cv::LMEDS);
    // No consensus (degenerate points): fall back to least squares over all five.
    return m.empty() ? alignment_transform(points) : m;
}

cv::Mat align_face(const cv::Mat& bgr, const Landmarks5& points, const AlignOptions& options) {
    cv::Mat m = alignment_transform(points, options.method);
    const double scale = std::hypot(m.at<double>(0, 0), m.at<double>(1, 0));
    cv::Mat source = bgr;
    if (scale > 0 && scale < options.antialias_below) {
        // The photo region the crop samples (corners mapped back, plus a margin for interpolation),
        // shrunk by pixel-area averaging to scale antialias_below; the transform then starts from it.
        cv::Mat inverse;
        cv::invertAffineTransform(m, inverse);
        std::vector<cv::Point2f> corners = {{0, 0},
                                            {float(kAlignedSize), 0},
                                            {0, float(kAlignedSize)},
                                            {float(kAlignedSize), float(kAlignedSize)}};
        cv::transform(corners, corners, inverse);
        const float margin = float(2 / scale);
        const double shrink = scale / options.antialias_below;
        float x1 = corners[0].x, y1 = corners[0].y, x2 = x1, y2 = y1;
        for (const auto& c : corners) {
            x1 = std::min(x1, c.x);
            y1 = std::min(y1, c.y);
            x2 = std::max(x2, c.x);
            y2 = std::max(y2, c.y);
        }
        const cv::Rect region = cv::Rect(cvFloor(x1 - margin), cvFloor(y1 - margin),
                                         cvCeil(x2 - x1 + 2 * margin), cvCeil(y2 - y1 + 2 * margin)) &
                                cv::Rect(0, 0, bgr.cols, bgr.rows);
        const cv::Size small(cvRound(region.width * shrink), cvRound(region.height * shrink));
        if (small.width >= 2 && small.height >= 2) {
            cv::resize(bgr(region), source, small, 0, 0, cv::INTER_AREA);
            const double fx = double(small.width) / region.width, fy = double(small.height) / region.height;
            // image pixel = region origin + small pixel / f, so M' = M * [1/fx 0 x0; 0 1/fy y0].
            cv::Mat to_image = (cv::Mat_<double>(3, 3) << 1 / fx, 0, region.x, 0, 1 / fy, region.y, 0, 0, 1);
            cv::Mat m3 = cv::Mat::eye(3, 3, CV_64F);
            m.copyTo(m3.rowRange(0, 2));
            const cv::Mat product = m3 * to_image;
            m = product.rowRange(0, 2).clone();
        }
    }
    cv::Mat aligned;
    cv::warpAffine(source, aligned, m, cv::Size(kAlignedSize, kAlignedSize), cv::INTER_LINEAR,
                   cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
    return aligned;
}

}  // namespace faceid
