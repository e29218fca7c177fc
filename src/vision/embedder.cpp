#include "vision/embedder.h"

#include <opencv2/imgproc.hpp>

namespace faceid {

Embedder::Embedder(const std::filesystem::path& model, bool flip_average)
    : net_(cv::dnn::readNetFromONNX(model.string())), flip_average_(flip_average) {}

Embedding Embedder::embed(const cv::Mat& aligned_bgr) {
    return embed_batch({aligned_bgr}).front();
}

std::vector<Embedding> Embedder::embed_batch(const std::vector<cv::Mat>& aligned_bgr) {
    return embed_batch(aligned_bgr, flip_average_);
}

namespace {
Embedding sum_rows(const cv::Mat& out, int first, int count) {
    Embedding e(kEmbeddingDim, 0.f);
    for (int j = 0; j < count; ++j) {
        const float* row = out.ptr<float>(first + j);
        for (int d = 0; d < kEmbeddingDim; ++d) e[d] += row[d];
    }
    l2_normalize(e);
    return e;
}
}  // namespace

std::pair<Embedding, Embedding> Embedder::embed_variants(const cv::Mat& aligned_bgr) {
    cv::Mat flipped;
    cv::flip(aligned_bgr, flipped, 1);
    cv::Mat blob = cv::dnn::blobFromImages(std::vector<cv::Mat>{aligned_bgr, flipped}, 1.0 / 128,
                                           cv::Size(112, 112), cv::Scalar(127, 127, 127), true, false);
    net_.setInput(blob);
    cv::Mat out = net_.forward();
    return {sum_rows(out, 0, 1), sum_rows(out, 0, 2)};
}

std::vector<Embedding> Embedder::embed_batch(const std::vector<cv::Mat>& aligned_bgr, bool flip_average) {
    if (aligned_bgr.empty()) return {};
    std::vector<cv::Mat> inputs;
    inputs.reserve(aligned_bgr.size() * 2);
    for (const auto& crop : aligned_bgr) {
        inputs.push_back(crop);
        if (flip_average) {
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
    const int per_face = flip_average ? 2 : 1;
    std::vector<Embedding> result;
    result.reserve(aligned_bgr.size());
    for (size_t i = 0; i < aligned_bgr.size(); ++i)
        result.push_back(sum_rows(out, int(i) * per_face, per_face));
    return result;
}

}  // namespace faceid
