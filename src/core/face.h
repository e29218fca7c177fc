#pragma once
// Value types of one detected face: its box, landmarks, quality figures and embedding.
#include "core/quality_reason.h"

#include <opencv2/core.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct FaceBox {
    float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // original image pixels
    float score = 0;                       // detector confidence 0..1

    float width() const { return x2 - x1; }
    float height() const { return y2 - y1; }
    float area() const { return width() * height(); }
    cv::Point2f center() const { return {(x1 + x2) / 2, (y1 + y2) / 2}; }
    cv::Rect2f rect() const { return {x1, y1, width(), height()}; }
};

// Five points in image pixels: left eye, right eye, nose tip, left mouth corner, right mouth corner
// ("left" as seen in the image).
using Landmarks5 = std::array<cv::Point2f, 5>;
using Landmarks68 = std::array<cv::Point2f, 68>;

inline constexpr int kEmbeddingDim = 512;

// An L2-normalised face embedding of kEmbeddingDim floats.
using Embedding = std::vector<float>;

float dot(const float* a, const float* b, int dim);
float cosine_similarity(const Embedding& a, const Embedding& b);
void l2_normalize(std::vector<float>& v);

// Measured quality of one face, plus the names of the gates it fails (empty when it passes all).
struct Quality {
    double sharpness = 0;        // variance of the Laplacian on the aligned 112x112 grey crop
    double detection_score = 0;  // detector confidence
    double face_width_px = 0;    // box width in original pixels
    double face_height_px = 0;
    double inter_eye_px = 0;              // distance between the eye centres in original pixels
    double yaw = 0, pitch = 0, roll = 0;  // degrees, estimated from the landmarks
    double brightness = 0;                // mean grey level of the aligned crop, 0..255
    double overexposed = 0;               // fraction of aligned-crop pixels >= 250
    double score = 0;                     // overall 0..1, used to choose the best photo of a person
    std::optional<double> liveness;       // probability that the face is live (fr_liveness.onnx), if assessed
    std::vector<QualityReason> reasons;   // failed gates (core/quality_reason.h)

    bool passed() const { return reasons.empty(); }
};

}  // namespace faceid
