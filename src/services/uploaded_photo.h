#pragma once
// Decoding and analysing an uploaded photo, and the image files we store from it.
#include "vision/face_pipeline.h"

#include <opencv2/core.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace faceid {

struct PhotoFaces {
    cv::Mat image;
    std::string format;          // "jpeg", "png", ... of the upload
    std::vector<FaceBox> boxes;  // every detected face, largest first
};

// Decodes and detects. Throws Error(kNoFace) when there is no face.
PhotoFaces detect_faces(FacePipeline& pipeline, std::string_view photo);

// The face registration takes when the request names none: the largest face that passes the quality
// gates (among the 20 largest), or, when none passes, the largest face (whose reasons the caller reports).
// Analysed, not embedded.
struct ChosenFaceIndex {
    AnalyzedFace face;
    int index = 0;
};
ChosenFaceIndex choose_registration_face(FacePipeline& pipeline, const PhotoFaces& photo);

// JPEG bytes of the face's box enlarged by `margin` (a fraction of the box size) on each side.
std::string face_crop_jpeg(const cv::Mat& image, const FaceBox& box, double margin = 0.25);

}  // namespace faceid
