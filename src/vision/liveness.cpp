#include "vision/liveness.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace faceid {

cv::Rect liveness_region(const cv::Size& image, const FaceBox& box, double scale) {
    const double w = std::max(1.f, box.width()), h = std::max(1.f, box.height());
    scale = std::min({scale, (image.height - 1) / h, (image.width - 1) / w});
    const double new_w = w * scale, new_h = h * scale;
    const cv::Point2f c = box.center();
    double x1 = c.x - new_w / 2, y1 = c.y - new_h / 2, x2 = c.x + new_w / 2, y2 = c.y + new_h / 2;
    // Shift (not shrink) the region back inside the image, as the model's training crops were made.
    if (x1 < 0) x2 -= x1, x1 = 0;
    if (y1 < 0) y2 -= y1, y1 = 0;
    if (x2 > image.width - 1) x1 -= x2 - image.width + 1, x2 = image.width - 1;
    if (y2 > image.height - 1) y1 -= y2 - image.height + 1, y2 = image.height - 1;
    cv::Rect rect(int(std::max(0.0, x1)), int(std::max(0.0, y1)), int(x2 - x1), int(y2 - y1));
    return rect & cv::Rect(0, 0, image.width, image.height);
}

LivenessDetector::LivenessDetector(const std::filesystem::path& model, bool rgb)
    : net_(cv::dnn::readNetFromONNX(model.string())), rgb_(rgb) {}

LivenessScore LivenessDetector::score(const cv::Mat& bgr, const FaceBox& box) {
    cv::Rect region = liveness_region(bgr.size(), box);
    if (region.area() <= 0) region = cv::Rect(0, 0, bgr.cols, bgr.rows);
    // Raw 0..255 values, 128x128, BGR order unless rgb_ (see the header).
    cv::Mat blob = cv::dnn::blobFromImage(bgr(region), 1.0, cv::Size(128, 128), cv::Scalar(), /*swapRB=*/rgb_,
                                          /*crop=*/false);
    net_.setInput(blob);
    const cv::Mat logits = net_.forward("output");
    const float* l = logits.ptr<float>();
    const float top = std::max({l[0], l[1], l[2]});
    LivenessScore result;
    float sum = 0;
    for (int i = 0; i < 3; ++i) sum += result.probabilities[i] = std::exp(l[i] - top);
    for (auto& p : result.probabilities) p /= sum;
    result.live = result.probabilities[kLiveClass];
    return result;
}

}  // namespace faceid
