#include "vision/embedder.h"

#include <opencv2/imgproc.hpp>

namespace faceid {

Embedder::Embedder(const std::filesystem::path& model, bool flip_average)
    : net_(cv::dnn::readNetFromONNX(model.string())), flip_average_(flip_average) {}

Embedding Embedder::embed(const cv::Mat& aligned_bgr) {
    return embed_batch({aligned_bgr}).front();
}

std::vector<Embedding> Embedder::embed_batch(const std::vector<cv::Mat>& aligned_bgr) {
    if (aligned_bgr.empty()) return {};
    std::vector<cv::Mat> inputs;
    inputs.reserve(aligned_bgr.size() * 2);
    for (const auto& crop : aligned_bgr) {
        inputs.push_back(crop);
        if (flip_average_) {
            cv::Mat flipped;
            cv::flip(crop, flipped, 1);
            inputs.push_back(flipped);
        }
    }
    // RGB, (x - 127) / 128.
    cv::Mat blob = cv::dnn::blobFromImages(inputs, 1.0 / 128, cv::Size(112, 112), cv::Scalar(127, 127, 127),
                                           /*swapRB=*/true, /*crop=*/false);
    net_.setInput(blob);
    cv::Mat out = net_.forward();  // (n) x 512
    const int per_face = flip_average_ ? 2 : 1;
    std::vector<Embedding> result;
    result.reserve(aligned_bgr.size());
    for (size_t i = 0; i < aligned_bgr.size(); ++i) {
        Embedding e(kEmbeddingDim, 0.f);
        for (int j = 0; j < per_face; ++j) {
            const float* row = out.ptr<float>(int(i) * per_face + j);
            for (int d = 0; d < kEmbeddingDim; ++d) e[d] += row[d];
        }
        l2_normalize(e);
        result.push_back(std::move(e));
    }
    return result;
}

}  // namespace faceid
