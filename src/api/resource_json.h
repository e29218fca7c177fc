#pragma once
// JSON of the API's answers built from services' results (search matches and decisions, registrations,
// API keys, audit entries, detected faces, retention reports). Stored persons and faces, FieldView and errors
// are in schemas/record_json.h, the pipeline's value types in schemas/face_json.h; these stay above services
// because their types are services' and repositories' own.
#include "core/error.h"
#include "core/records.h"
#include "repositories/api_key_repository.h"
#include "repositories/audit_log.h"
#include "schemas/record_json.h"
#include "services/duplicate_finder.h"
#include "services/gallery.h"
#include "services/registration_service.h"
#include "services/retention_service.h"
#include "services/search_service.h"

#include <nlohmann/json.hpp>

#include <string_view>

namespace faceid {

nlohmann::json match_json(const PersonMatch& match, const FieldView& view);
// How a search decided: threshold, why (target_fpir, configured, requested), for what gallery size.
nlohmann::json decision_json(const MatchDecision& decision);
// The "results" of POST /search (and of each photo of /search/batch and `faceid search --batch`).
nlohmann::json search_results_json(const std::vector<FaceSearchResult>& results, const FieldView& view);
// A registration's answer (POST /register, and each item of /register/batch without its "status").
nlohmann::json registration_json(const RegistrationResult& result, const FieldView& view);
nlohmann::json verification_json(const VerifyResult& result);
// One face of POST /detect.
nlohmann::json detected_face_json(const AnalyzedFace& face, double live_threshold);
nlohmann::json duplicate_pair_json(const DuplicatePair& pair, const FieldView& view);
// An API key's record (never the key itself).
nlohmann::json key_json(const ApiKeyRecord& key);
nlohmann::json audit_entry_json(const AuditEntry& entry);
// Logs a 5xx error's full text (file paths included) for the operator; 4xx errors are not logged.
void log_server_error(const Error& error, std::string_view where);

// A retention run's report (POST /admin/cleanup, faceid cleanup, the log line of the background job).
nlohmann::json cleanup_report_json(const CleanupReport& report);
// The ids a run removed (faces, then persons), as the audit log lists them.
nlohmann::json cleanup_removed_ids(const CleanupReport& report);

}  // namespace faceid
