#include "services/uploaded_photo.h"

#include "core/error.h"
#include "vision/image_decoder.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>

namespace faceid {

PhotoFaces detect_faces(FacePipeline& pipeline, std::string_view photo) {
    PhotoFaces result;
    result.image = pipeline.decode(photo);
    if (auto header = read_image_header(photo)) result.format = std::string(format_name(header->format));
    result.boxes = pipeline.detect(result.image);
    if (auto turn = find_upright_turn(pipeline, result.image, result.boxes)) {
        result.image = std::move(turn->chosen.image);
        result.boxes = std::move(turn->chosen.boxes);
        result.rotation = turn->chosen.rotation;
        result.rotation_sure = turn->confident();
        result.opposite = std::move(turn->opposite);
    }
    if (result.boxes.empty()) throw Error(ErrorCode::kNoFace);
    return result;
}

ChosenFaceIndex choose_registration_face(FacePipeline& pipeline, const PhotoFaces& photo) {
    // Only the largest faces are tried: each analysis costs model time, and a photo tiled with hundreds of
    // faces none of which passes would otherwise analyse them all.
    constexpr int kMaxFacesTried = 20;
    ChosenFaceIndex chosen;
    for (int i = 0; i < std::min(int(photo.boxes.size()), kMaxFacesTried); ++i) {
        auto face = pipeline.analyze(photo.image, photo.boxes[i], /*embed=*/false);
        if (i == 0 || face.quality.passed()) {
            chosen.face = std::move(face);
            chosen.index = i;
        }
        if (chosen.face.quality.passed()) break;
    }
    return chosen;
}

std::string face_crop_jpeg(const cv::Mat& image, const FaceBox& box, double margin) {
    const double mx = box.width() * margin, my = box.height() * margin;
    cv::Rect rect(cvFloor(box.x1 - mx), cvFloor(box.y1 - my), cvCeil(box.width() + 2 * mx),
                  cvCeil(box.height() + 2 * my));
    rect &= cv::Rect(0, 0, image.cols, image.rows);
    if (rect.area() <= 0) rect = cv::Rect(0, 0, image.cols, image.rows);
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image(rect), bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
    return {bytes.begin(), bytes.end()};
}

}  // namespace faceid
