#pragma once
// Face detection with fr_detect.onnx (Ultra-Light RFB-320). The network has a fixed 320x240 input with
// built-in priors, so a large photo shrunk to it loses small faces. For large photos we therefore also run
// the network on overlapping tiles (each tile again padded to 4:3 and shrunk to 320x240) and merge all boxes
// with NMS.
#include "core/face.h"

#include <opencv2/dnn.hpp>

#include <filesystem>
#include <vector>

namespace faceid {

struct DetectorOptions {
    float score_threshold = 0.7f;  // minimum face score
    float nms_iou = 0.3f;          // boxes overlapping more than this are merged
    // Tiling: run a 2x2 grid of tiles when the photo's longer side exceeds this many pixels, a 3x3 grid when
    // it exceeds tile_3x3_above. 0 disables tiling. See `faceid bench detect` for the trade-off.
    int tile_2x2_above = 800;
    int tile_3x3_above = 2400;
    float min_face_px = 20;  // boxes narrower than this (original pixels) are dropped
    // Network input size. The priors are part of fr_detect.onnx, so only 320x240 is known to work; other
    // sizes are for experiments (`faceid eval --variant det_size=WxH`).
    int input_width = 320;
    int input_height = 240;
    // Pad the photo (or tile) with grey on the right or bottom to the network's aspect ratio before shrinking
    // it, so faces in portrait or panoramic photos are not squashed (docs/wild-photos.md: a squashed
    // portrait tile produced a false face near the centre; photos-multi accuracy 98.08% -> 99.42%, LFW
    // DevTest 99.20% -> 99.30%). Off by default for now: it changes every embedding, so stored templates
    // would need re-embedding and the 1:N score models (services/calibration) refitting first.
    bool keep_aspect = false;
};

class FaceDetector {
  public:
    FaceDetector(const std::filesystem::path& model, DetectorOptions options = {});

    // Faces in original image pixels, largest first.
    std::vector<FaceBox> detect(const cv::Mat& bgr);
    // Raw network pass over the whole image (no tiling), for tests and benchmarks.
    std::vector<FaceBox> detect_single_pass(const cv::Mat& bgr);

    const DetectorOptions& options() const { return options_; }
    void set_options(const DetectorOptions& options) { options_ = options; }

  private:
    // Runs the network on `region` of the image; boxes are returned in image pixels. With drop_cut_faces,
    // boxes touching a tile border inside the image are cut faces and dropped.
    void run_on_region(const cv::Mat& bgr, const cv::Rect& region, bool drop_cut_faces,
                       std::vector<FaceBox>& out);

    cv::dnn::Net net_;
    DetectorOptions options_;
};

// Non-maximum suppression: keeps the best-scoring box of every cluster overlapping by more than `iou`
// (or where the smaller box lies mostly inside the larger, as happens with tiles).
std::vector<FaceBox> non_max_suppression(std::vector<FaceBox> boxes, float iou);

}  // namespace faceid
