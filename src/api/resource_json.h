#pragma once
// JSON of the API's resources. What a caller may see is decided by a FieldView (from its role), so that
// photos, crops, metadata and embeddings are left out in one place for callers not allowed them.
#include "core/error.h"
#include "core/records.h"
#include "services/gallery.h"
#include "services/search_service.h"

#include <nlohmann/json.hpp>

#include <string_view>

namespace faceid {

struct FieldView {
    bool photos = true;       // photo_url, crop_url
    bool metadata = true;     // metadata, external_id
    bool quality = true;      // quality figures of stored faces
    bool embeddings = false;  // only when an admin asks explicitly
};

nlohmann::json person_json(const PersonRecord& person, const FieldView& view);
nlohmann::json face_json(const FaceRecord& face, bool primary, const FieldView& view);
nlohmann::json match_json(const PersonMatch& match, const FieldView& view);
// How a search decided: threshold, why (target_fpir, configured, requested), for what gallery size.
nlohmann::json decision_json(const MatchDecision& decision);
// The "results" of POST /search (and of each photo of /search/batch and `faceid search --batch`).
nlohmann::json search_results_json(const std::vector<FaceSearchResult>& results, const FieldView& view);
nlohmann::json error_json(const std::string& code, const std::string& message, const nlohmann::json& details);
// The error as a client sees it: a server-side failure (5xx) carries only its code's own message and no
// details, since its text names files and library errors (those go to the log: see log_server_error).
nlohmann::json error_json(const Error& error);
// Logs a 5xx error's full text (file paths included) for the operator; 4xx errors are not logged.
void log_server_error(const Error& error, std::string_view where);

}  // namespace faceid
