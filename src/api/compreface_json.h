#pragma once
// CompreFace's JSON (issue 16), one home for each shape of the CompreFace-compatible routes: its error shape
// {"message", "code"} with its codes and statuses, the face object of recognize / detect / verify (box,
// plugins) and plugins_versions. CompreFace's shapes: docs/Rest-API-description.md of exadel-inc/CompreFace;
// its codes: java/common/.../handler/CommonExceptionCode.java.
#include "api/http_message.h"
#include "core/error.h"
#include "core/face.h"
#include "vision/face_attributes.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

namespace faceid {

// A CompreFace error: HTTP status, CompreFace code, message.
struct CompreFaceError {
    int status = 400;
    int code = 0;
    std::string message;
};

// Our error as CompreFace reports the same condition (e.g. kNoFace -> 400, code 28, "No face is found in
// the given image"; an unknown subject -> 404, code 42; an unknown example -> 404, code 11). Conditions
// CompreFace does not have keep our status and message with code 0 (its UNDEFINED).
CompreFaceError compreface_error(const Error& error);
// The RouteFlavor error renderer of the CompreFace routes: {"message": ..., "code": N}.
void render_compreface_error(const Error& error, HttpResponse& res);

// The face plugins a request asked for (face_plugins) and may have: age, gender, landmarks, calculator
// (the embedding: only for a caller allowed to read embeddings; otherwise left out, as CompreFace leaves
// out a plugin it does not have).
struct FacePlugins {
    bool age = false;
    bool gender = false;
    bool landmarks = false;
    bool calculator = false;
};

// A similarity or probability as CompreFace writes it (5 decimals).
double compreface_number(double value);

// One face: "box" {probability, x_max, y_max, x_min, y_min} and the plugins' fields.
nlohmann::json compreface_face_json(const FaceBox& box, const Landmarks5& points,
                                    const std::optional<FaceAttributes>& attributes,
                                    const Embedding* embedding, const FacePlugins& plugins);
// "plugins_versions": which of our models answers for each plugin asked (and the detector).
nlohmann::json compreface_plugins_versions(const FacePlugins& plugins);

}  // namespace faceid
