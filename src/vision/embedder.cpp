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
// KNOWN DEFECT, not fixed yet (see README "Accuracy"): for a blob of N crops OpenCV 4.6 returns this model's
// output as 1 x (N*512), so `out.ptr<float>(j)` for j > 0 reads past the end of the output. For the crop and
// its mirror, what it reads is a slice of the crop's own PReLU_92 activation (OpenCV's memory planner puts it
// there), not the mirror's embedding. The fix (view `out` as N x 512) changes every flip-averaged embedding,
// so it has to come with a refit of services/calibration and a re-embedding of stored galleries.
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

double Embedder::raw_norm(const cv::Mat& aligned_bgr) {
    cv::Mat blob =
        cv::dnn::blobFromImage(aligned_bgr, 1.0 / 128, cv::Size(112, 112), cv::Scalar(127, 127, 127),
                               /*swapRB=*/true, /*crop=*/false);
    net_.setInput(blob);
    return cv::norm(net_.forward().row(0));
}

std::vector<Embedding> Embedder::embed_batch(const std::vector<cv::Mat>& aligned_bgr, bool flip_average) {
    // One forward pass per face (with its flipped copy): with more than one face in the blob this model
    // under OpenCV DNN returns a correct embedding for the first face only (measured with
    // `faceid search --batch --batch-size 2..6 --compare-single`: every face after the first of a pass
    // stopped matching its person), so faces are not batched across a pass until that is understood.
    std::vector<Embedding> result;
    result.reserve(aligned_bgr.size());
    for (const auto& crop : aligned_bgr) {
        std::vector<cv::Mat> inputs = {crop};
        if (flip_average) {
            cv::Mat flipped;
            cv::flip(crop, flipped, 1);
            inputs.push_back(flipped);
        }
        // RGB, (x - 127) / 128.
        cv::Mat blob =
            cv::dnn::blobFromImages(inputs, 1.0 / 128, cv::Size(112, 112), cv::Scalar(127, 127, 127),
                                    /*swapRB=*/true, /*crop=*/false);
        net_.setInput(blob);
        cv::Mat out = net_.forward();  // (1 or 2) x 512
        result.push_back(sum_rows(out, 0, int(inputs.size())));
    }
    return result;
}

}  // namespace faceid
