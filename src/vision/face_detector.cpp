#include "vision/face_detector.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace faceid {
namespace {

float overlap_ratio(const FaceBox& a, const FaceBox& b, bool of_smaller) {
    const float ix = std::max(0.f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
    const float iy = std::max(0.f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
    const float inter = ix * iy;
    if (inter <= 0) return 0;
    const float denom = of_smaller ? std::min(a.area(), b.area()) : a.area() + b.area() - inter;
    return denom > 0 ? inter / denom : 0;
}

std::vector<cv::Rect> tile_grid(const cv::Size& size, int cells) {
    // Tiles of 1/cells of each side plus 30% overlap, so every face smaller than the overlap lies wholly
    // inside at least one tile. At least a pixel each way: a photo 801 x 1 must not make empty tiles.
    std::vector<cv::Rect> tiles;
    const int tw = std::max(1, int(size.width / double(cells) * 1.3));
    const int th = std::max(1, int(size.height / double(cells) * 1.3));
    for (int row = 0; row < cells; ++row)
        for (int col = 0; col < cells; ++col) {
            const int x = cells == 1 ? 0 : int(double(size.width - tw) * col / (cells - 1));
            const int y = cells == 1 ? 0 : int(double(size.height - th) * row / (cells - 1));
            tiles.emplace_back(x, y, std::min(tw, size.width - x), std::min(th, size.height - y));
        }
    return tiles;
}

}  // namespace

std::vector<FaceBox> non_max_suppression(std::vector<FaceBox> boxes, float iou) {
    std::sort(boxes.begin(), boxes.end(),
              [](const FaceBox& a, const FaceBox& b) { return a.score > b.score; });
    std::vector<FaceBox> kept;
    for (const auto& box : boxes) {
        bool suppressed = false;
        for (const auto& k : kept)
            if (overlap_ratio(box, k, false) > iou || overlap_ratio(box, k, true) > 0.7f) {
                suppressed = true;
                break;
            }
        if (!suppressed) kept.push_back(box);
    }
    return kept;
}

FaceDetector::FaceDetector(const std::filesystem::path& model, DetectorOptions options)
    : net_(cv::dnn::readNetFromONNX(model.string())), options_(options) {}

void FaceDetector::run_on_region(const cv::Mat& bgr, const cv::Rect& region, bool drop_cut_faces,
                                 std::vector<FaceBox>& out) {
    if (region.width < 1 || region.height < 1) return;
    const cv::Size net_size(options_.input_width, options_.input_height);
    // The network sees `frame`: the region, padded with mid-grey (0 after normalisation) on the right or
    // bottom to the network's aspect ratio when keep_aspect is on. Box coordinates are fractions of it.
    cv::Mat input = bgr(region);
    cv::Size2f frame(float(region.width), float(region.height));
    if (options_.keep_aspect) {
        const double net_aspect = double(net_size.width) / net_size.height;
        const int pad_w = std::max(0, int(std::lround(region.height * net_aspect)) - region.width);
        const int pad_h = std::max(0, int(std::lround(region.width / net_aspect)) - region.height);
        if (pad_w > 0 || pad_h > 0) {
            cv::copyMakeBorder(input, input, 0, pad_h, 0, pad_w, cv::BORDER_CONSTANT,
                               cv::Scalar(127, 127, 127));
            frame = cv::Size2f(float(input.cols), float(input.rows));
        }
    }
    cv::Mat blob = cv::dnn::blobFromImage(input, 1.0 / 128, net_size, cv::Scalar(127, 127, 127),
                                          /*swapRB=*/true, /*crop=*/false);
    net_.setInput(blob);
    std::vector<cv::Mat> outputs;
    net_.forward(outputs, std::vector<cv::String>{"boxes", "scores"});
    const cv::Mat& boxes = outputs[0];   // 1 x N x 4, normalised x1 y1 x2 y2
    const cv::Mat& scores = outputs[1];  // 1 x N x 2
    const int n = boxes.size[1];
    const auto* b = boxes.ptr<float>();
    const auto* s = scores.ptr<float>();
    const float margin = 2.0f;
    for (int i = 0; i < n; ++i) {
        const float score = s[i * 2 + 1];
        if (score < options_.score_threshold) continue;
        FaceBox box;
        const float w = float(region.width), h = float(region.height);
        box.x1 = region.x + std::clamp(b[i * 4 + 0] * frame.width, 0.f, w);
        box.y1 = region.y + std::clamp(b[i * 4 + 1] * frame.height, 0.f, h);
        box.x2 = region.x + std::clamp(b[i * 4 + 2] * frame.width, 0.f, w);
        box.y2 = region.y + std::clamp(b[i * 4 + 3] * frame.height, 0.f, h);
        box.score = score;
        if (box.width() < options_.min_face_px || box.height() < options_.min_face_px) continue;
        if (drop_cut_faces) {
            const bool cut = (region.x > 0 && box.x1 <= region.x + margin) ||
                             (region.y > 0 && box.y1 <= region.y + margin) ||
                             (region.br().x < bgr.cols && box.x2 >= region.br().x - margin) ||
                             (region.br().y < bgr.rows && box.y2 >= region.br().y - margin);
            if (cut) continue;
        }
        out.push_back(box);
    }
}

std::vector<FaceBox> FaceDetector::detect_single_pass(const cv::Mat& bgr) {
    std::vector<FaceBox> boxes;
    run_on_region(bgr, cv::Rect(0, 0, bgr.cols, bgr.rows), false, boxes);
    return non_max_suppression(std::move(boxes), options_.nms_iou);
}

std::vector<FaceBox> FaceDetector::detect(const cv::Mat& bgr) {
    std::vector<FaceBox> boxes;
    run_on_region(bgr, cv::Rect(0, 0, bgr.cols, bgr.rows), false, boxes);
    const int longer = std::max(bgr.cols, bgr.rows);
    int cells = 1;
    if (options_.tile_2x2_above > 0 && longer > options_.tile_2x2_above) cells = 2;
    if (options_.tile_3x3_above > 0 && longer > options_.tile_3x3_above) cells = 3;
    if (cells > 1)
        for (const auto& tile : tile_grid(bgr.size(), cells)) run_on_region(bgr, tile, true, boxes);
    auto faces = non_max_suppression(std::move(boxes), options_.nms_iou);
    std::sort(faces.begin(), faces.end(),
              [](const FaceBox& a, const FaceBox& b) { return a.area() > b.area(); });
    return faces;
}

}  // namespace faceid
