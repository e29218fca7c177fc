#pragma once
// Decoding and analysing an uploaded photo, and the image files we store from it.
#include "vision/face_pipeline.h"
#include "vision/upright_turn.h"

#include <opencv2/core.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace faceid {

struct PhotoFaces {
    cv::Mat image;
    std::string format;          // "jpeg", "png", ... of the upload
    std::vector<FaceBox> boxes;  // every detected face, largest first
    // Degrees (clockwise: 0, 90, 180 or 270) the photo was turned to find its faces, when none stood as
    // uploaded (a photo on its side without an EXIF orientation). image and boxes are of the turned photo.
    int rotation = 0;
    // When turned: whether the choice between the two readings is sure (vision/upright_turn.h), and the
    // other reading (the photo turned a further 180 degrees) for a caller that can decide otherwise, such
    // as search by the gallery's answer.
    bool rotation_sure = true;
    TurnedPhoto opposite;
};

// Decodes and detects; when no face stands as uploaded, or the largest standing one does not look like a
// face to the embedder, looks for the turn that shows it upright (find_upright_turn: one plain embedding
// for every photo; two or three more detections and up to four embeddings only for such photos).
// Throws Error(kNoFace) when there is no face in any orientation.
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
