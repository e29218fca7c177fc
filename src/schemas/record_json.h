#pragma once
// JSON of stored persons and faces, and of errors. What a caller may see is decided by a FieldView (from
// its role, see api/access_policy.cpp), so that photos, crops, metadata and embeddings are left out in one
// place for callers not allowed them.
#include "core/error.h"
#include "core/records.h"

#include <nlohmann/json.hpp>

#include <string>

namespace faceid {

struct FieldView {
    bool photos = true;       // photo_url, crop_url
    bool metadata = true;     // metadata
    bool quality = true;      // quality figures of stored faces
    bool embeddings = false;  // only when an admin asks explicitly
    bool external_id = true;  // apart from metadata: an access-control system needs the badge number
};

nlohmann::json person_json(const PersonRecord& person, const FieldView& view);
nlohmann::json face_json(const FaceRecord& face, bool primary, const FieldView& view);
nlohmann::json error_json(const std::string& code, const std::string& message, const nlohmann::json& details);
// The error as a client sees it: a server-side failure (5xx) carries only its code's own message and no
// details, since its text names files and library errors (those go to the log: see log_server_error).
nlohmann::json error_json(const Error& error);

}  // namespace faceid
