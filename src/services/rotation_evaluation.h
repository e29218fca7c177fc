#pragma once
// How well uploads turned a quarter without an EXIF orientation are set upright, on the real decode and
// detection path (services/uploaded_photo): each photo as it is (it must not be turned), then turned a
// quarter either way and re-encoded as JPEG (it must be turned back). `faceid eval rotation` prints it;
// an integration test holds a floor.
#include "vision/face_pipeline.h"

#include <filesystem>
#include <string>
#include <vector>

namespace faceid {

struct RotationEvaluation {
    int upright_photos = 0;  // photos as they are, with a face found
    int upright_turned = 0;  // ... of which were turned anyway (must be 0)
    int turned_photos = 0;   // photos turned a quarter (two per upright photo with a face)
    int right_sure = 0;      // turned back the right way, the choice sure
    int right_unsure = 0;    // the right way, but unsure (registration refuses, search asks the gallery)
    int wrong_sure = 0;      // the wrong way and sure: an upside-down template would be stored
    int wrong_unsure = 0;    // the wrong way, unsure (refused for registration)
    int not_turned = 0;      // no turn tried: a face seemed to stand in the turned photo
    int no_face = 0;         // no face in any orientation
    std::vector<std::string> misses;  // "file +90: outcome" for every turned photo not turned back surely
    double ms_upright = 0, ms_turned = 0;  // mean detect_faces time per photo

    int right() const { return right_sure + right_unsure; }
};

// Evaluates the given photo files (largest face; photos with no face upright are skipped).
RotationEvaluation evaluate_rotation(FacePipeline& pipeline,
                                     const std::vector<std::filesystem::path>& photos);

// A report for people: right choices / turned photos, sure choices, upright photos wrongly turned, misses.
std::string rotation_report(const RotationEvaluation& evaluation);

}  // namespace faceid
