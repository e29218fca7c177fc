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
    // One forward pass for many crops (faster per face than one by one).
    std::vector<Embedding> embed_batch(const std::vector<cv::Mat>& aligned_bgr);

  private:
    cv::dnn::Net net_;
    bool flip_average_;
};

}  // namespace faceid
