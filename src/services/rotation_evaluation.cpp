#include "services/rotation_evaluation.h"

#include "core/clock.h"
#include "core/error.h"
#include "services/uploaded_photo.h"

#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <sstream>

namespace faceid {
namespace {

std::string read_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

std::string jpeg(const cv::Mat& image) {
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 92});
    return {bytes.begin(), bytes.end()};
}

}  // namespace

RotationEvaluation evaluate_rotation(FacePipeline& pipeline,
                                     const std::vector<std::filesystem::path>& photos) {
    RotationEvaluation e;
    double upright_seconds = 0, turned_seconds = 0;
    for (const auto& file : photos) {
        const std::string bytes = read_bytes(file);
        double start = monotonic_seconds();
        PhotoFaces upright;
        try {
            upright = detect_faces(pipeline, bytes);
        } catch (const Error&) {
            continue;  // no face as it is: nothing to turn back to
        }
        upright_seconds += monotonic_seconds() - start;
        ++e.upright_photos;
        if (upright.rotation != 0) {
            ++e.upright_turned;
            e.misses.push_back(file.string() + " as it is: turned " + std::to_string(upright.rotation));
        }
        // The decoded photo (EXIF applied) turned a quarter and saved without an orientation tag.
        for (const int turn : {90, 270}) {
            const int expected = 360 - turn;  // the turn that brings it back
            ++e.turned_photos;
            start = monotonic_seconds();
            std::string outcome;
            try {
                const auto found = detect_faces(pipeline, jpeg(turn_image(upright.image, turn)));
                if (found.rotation == 0) {
                    ++e.not_turned;
                    outcome = "not turned";
                } else if (found.rotation == expected) {
                    ++(found.rotation_sure ? e.right_sure : e.right_unsure);
                    if (!found.rotation_sure) outcome = "right, unsure";
                } else {
                    ++(found.rotation_sure ? e.wrong_sure : e.wrong_unsure);
                    outcome = std::string("wrong (") + std::to_string(found.rotation) + ")" +
                              (found.rotation_sure ? ", sure" : ", unsure");
                }
            } catch (const Error&) {
                ++e.no_face;
                outcome = "no face";
            }
            turned_seconds += monotonic_seconds() - start;
            if (!outcome.empty())
                e.misses.push_back(file.string() + " +" + std::to_string(turn) + ": " + outcome);
        }
    }
    if (e.upright_photos) e.ms_upright = upright_seconds * 1000 / e.upright_photos;
    if (e.turned_photos) e.ms_turned = turned_seconds * 1000 / e.turned_photos;
    return e;
}

std::string rotation_report(const RotationEvaluation& e) {
    std::ostringstream out;
    out << "turned a quarter: " << e.right() << " / " << e.turned_photos << " turned back the right way ("
        << e.right_sure << " sure, " << e.right_unsure << " unsure); wrong: " << e.wrong_sure << " sure, "
        << e.wrong_unsure << " unsure; not turned: " << e.not_turned << "; no face: " << e.no_face << "\n"
        << "as they are: " << e.upright_turned << " / " << e.upright_photos
        << " upright photos wrongly turned\n"
        << "time per photo: " << e.ms_upright << " ms as it is, " << e.ms_turned << " ms turned\n";
    for (const auto& miss : e.misses) out << "  " << miss << "\n";
    return out.str();
}

}  // namespace faceid
