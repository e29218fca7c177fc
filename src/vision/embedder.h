#pragma once
// 512-d face embeddings with fr_feature.onnx from aligned 112x112 crops.
#include "core/face.h"

#include <opencv2/dnn.hpp>

#include <filesystem>
#include <vector>

namespace faceid {

class Embedder {
  public:
    // With flip_average, the mirrored crop is embedded too (in the same forward pass) and the two
    // embeddings are added before normalising, which makes the result less sensitive to pose.
    Embedder(const std::filesystem::path& model, bool flip_average);

    Embedding embed(const cv::Mat& aligned_bgr);
    // One forward pass for many crops (faster per face than one by one). `flip` overrides the default.
    std::vector<Embedding> embed_batch(const std::vector<cv::Mat>& aligned_bgr);
    std::vector<Embedding> embed_batch(const std::vector<cv::Mat>& aligned_bgr, bool flip);
    // Both variants from one forward pass: {plain, flip-averaged}. For evaluating the trade-off.
    std::pair<Embedding, Embedding> embed_variants(const cv::Mat& aligned_bgr);
    // The L2 norm of the crop's embedding before normalising (no flip): how face-like the crop is to this
    // model (vision/upright_turn.h uses it to tell an upright face from an upside-down one).
    double raw_norm(const cv::Mat& aligned_bgr);
    bool flip_average() const { return flip_average_; }
    void set_flip_average(bool flip_average) { flip_average_ = flip_average; }

  private:
    cv::dnn::Net net_;
    bool flip_average_;
};

}  // namespace faceid
