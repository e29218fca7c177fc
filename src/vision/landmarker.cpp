#include "vision/landmarker.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace faceid {

Landmarker::Landmarker(const std::filesystem::path& model, LandmarkOptions options)
    : net_(cv::dnn::readNetFromONNX(model.string())), options_(options) {}

Landmarks68 Landmarker::run(const cv::Mat& grey, cv::Rect2f box) {
    // Crop with replicated borders so boxes reaching past the photo's edge keep their geometry.
    const cv::Rect crop_rect(cvRound(box.x), cvRound(box.y), std::max(1, cvRound(box.width)),
                             std::max(1, cvRound(box.height)));
    const cv::Rect inside = crop_rect & cv::Rect(0, 0, grey.cols, grey.rows);
    cv::Mat crop;
    if (inside.area() <= 0) {
        crop = cv::Mat(crop_rect.size(), CV_8UC1, cv::Scalar(0));
    } else {
        cv::copyMakeBorder(grey(inside), crop, inside.y - crop_rect.y, crop_rect.br().y - inside.br().y,
                           inside.x - crop_rect.x, crop_rect.br().x - inside.br().x, cv::BORDER_REPLICATE);
    }
    if (options_.area_resize && (crop.cols > 64 || crop.rows > 64))
        cv::resize(crop, crop, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
    cv::Mat blob = cv::dnn::blobFromImage(crop, 1.0 / 256, cv::Size(64, 64), cv::Scalar(), false, false);
    net_.setInput(blob);
    cv::Mat out = net_.forward("output");
    const auto* v = out.ptr<float>();
    Landmarks68 points;
    for (int i = 0; i < 68; ++i)
        points[i] = {crop_rect.x + v[2 * i] * crop_rect.width, crop_rect.y + v[2 * i + 1] * crop_rect.height};
    return points;
}

Landmarks68 Landmarker::locate(const cv::Mat& bgr, const FaceBox& box) {
    cv::Mat grey;
    if (bgr.channels() == 3)
        cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    else
        grey = bgr;
    cv::Rect2f first = box.rect();
    if (options_.first_box_scale > 0) {
        const float side = std::max(box.width(), box.height()) * options_.first_box_scale;
        first = cv::Rect2f(box.center().x - side / 2, box.center().y - side / 2, side, side);
    }
    Landmarks68 points = run(grey, first);
    if (!options_.second_pass) return points;

    float min_x = points[0].x, max_x = points[0].x, min_y = points[0].y, max_y = points[0].y;
    for (const auto& p : points) {
        min_x = std::min(min_x, p.x);
        max_x = std::max(max_x, p.x);
        min_y = std::min(min_y, p.y);
        max_y = std::max(max_y, p.y);
    }
    const float side = std::max(max_x - min_x, max_y - min_y) * 1.15f;
    const float cx = (min_x + max_x) / 2, cy = (min_y + max_y) / 2 + 0.05f * side;
    return run(grey, cv::Rect2f(cx - side / 2, cy - side / 2, side, side));
}

Landmarks5 five_points(const Landmarks68& p) {
    auto mean = [](std::initializer_list<cv::Point2f> pts) {
        cv::Point2f sum(0, 0);
        for (const auto& q : pts) sum += q;
        return sum * (1.0f / float(pts.size()));
    };
    return {mean({p[37], p[38], p[40], p[41]}), mean({p[43], p[44], p[46], p[47]}), p[30],
            mean({p[48], p[60]}), mean({p[54], p[64]})};
}

}  // namespace faceid
