#include "vision/recapture.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <random>

namespace faceid {

cv::Mat simulate_recapture(const cv::Mat& bgr, const RecaptureStyle& style, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const int w = bgr.cols, h = bgr.rows;
    // The photo (print or screen) fills most of the new frame, on a dull surround (desk, bezel, hand).
    const int margin_x = int(w * 0.12), margin_y = int(h * 0.12);
    const cv::Size frame(w + 2 * margin_x, h + 2 * margin_y);
    const cv::Scalar surround =
        style.screen ? cv::Scalar(25, 25, 28) : cv::Scalar(150 + 40 * unit(rng), 140, 120);
    std::vector<cv::Point2f> from = {{0, 0}, {float(w), 0}, {float(w), float(h)}, {0, float(h)}};
    std::vector<cv::Point2f> to;
    for (const auto& p : from) {
        const float dx = float((unit(rng) * 2 - 1) * style.tilt * w),
                    dy = float((unit(rng) * 2 - 1) * style.tilt * h);
        to.emplace_back(p.x + margin_x + dx, p.y + margin_y + dy);
    }
    cv::Mat shown = bgr.clone();
    shown.convertTo(shown, CV_32FC3);
    // Moire: beating of the display's pixel grid with the camera's sensor grid, a slanted fine wave;
    // paper gets a coarser, weaker halftone-like texture.
    const double freq = style.screen ? 0.18 + 0.1 * unit(rng) : 0.35;
    const double angle = unit(rng) * M_PI;
    const double amplitude = style.screen ? style.moire : style.moire * 0.4;
    for (int y = 0; y < h; ++y) {
        auto* row = shown.ptr<cv::Vec3f>(y);
        for (int x = 0; x < w; ++x) {
            const double t = (x * std::cos(angle) + y * std::sin(angle)) * freq * 2 * M_PI;
            const double m = 1 + amplitude * std::sin(t) * (style.screen ? std::sin(t * 0.07) : 1.0);
            for (int c = 0; c < 3; ++c) row[x][c] = float(row[x][c] * m);
        }
    }
    // Reduced contrast and a colour cast (screens are blue-ish, prints warm and flat).
    const cv::Scalar gain = style.screen ? cv::Scalar(1.05, 0.97, 0.9) : cv::Scalar(0.85, 0.9, 0.95);
    cv::multiply(shown, gain * 0.85, shown);
    cv::add(shown, cv::Scalar::all(20), shown);
    cv::Mat warped(frame, CV_32FC3, surround);
    cv::warpPerspective(shown, warped, cv::getPerspectiveTransform(from, to), frame, cv::INTER_LINEAR,
                        cv::BORDER_TRANSPARENT);
    // Glare: a soft bright spot where a lamp reflects on the glossy surface.
    if (style.glare > 0) {
        cv::Mat spot(frame, CV_32FC1, cv::Scalar(0));
        const cv::Point centre(int(frame.width * (0.2 + 0.6 * unit(rng))),
                               int(frame.height * (0.2 + 0.6 * unit(rng))));
        cv::circle(spot, centre, int(std::min(w, h) * (0.1 + 0.1 * unit(rng))), cv::Scalar(255 * style.glare),
                   -1);
        cv::GaussianBlur(spot, spot, cv::Size(0, 0), std::min(w, h) * 0.08);
        cv::Mat spot3;
        cv::merge(std::vector<cv::Mat>{spot, spot, spot}, spot3);
        warped += spot3;
    }
    cv::GaussianBlur(warped, warped, cv::Size(0, 0), 0.8);
    cv::Mat out;
    warped.convertTo(out, CV_8UC3);
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", out, jpeg, {cv::IMWRITE_JPEG_QUALITY, style.jpeg_quality});
    return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

}  // namespace faceid
