#include "api/resource_json.h"

#include "core/clock.h"
#include "core/error.h"
#include "schemas/face_json.h"

#include <spdlog/spdlog.h>

#include <cmath>

namespace faceid {
namespace {
double round4(double v) {
    return std::round(v * 10000) / 10000;
}
double round1(double v) {
    return std::round(v * 10) / 10;
}
}  // namespace

nlohmann::json match_json(const PersonMatch& match, const FieldView& view) {
    nlohmann::json out = {
        {"person", person_json(match.person, view)},
        {"similarity", round4(match.similarity)},
        {"percentage", round1(match.probability * 100)},
        {"below_threshold", match.below_threshold},
        {"face_id", match.face_id},
    };
    if (view.photos) out["crop_url"] = "/faces/" + match.face_id + "/crop";
    return out;
}

nlohmann::json registration_json(const RegistrationResult& result, const FieldView& view) {
    auto face = face_json(result.face, result.primary, view);
    if (!result.skipped) face["quality"] = quality_to_json(result.quality);
    return {{"person", person_json(result.person, view)},
            {"face", face},
            {"created", result.created},
            {"primary", result.primary},
            {"skipped", result.skipped},
            {"faces_seen", result.faces_seen},
            {"face_index", result.face_index},
            {"rotation", result.rotation},
            {"dropped_face_ids", result.dropped_face_ids}};
}

nlohmann::json verification_json(const VerifyResult& result) {
    nlohmann::json body = {{"same", result.same},
                           {"similarity", round4(result.similarity)},
                           {"percentage", std::round(result.probability * 1000) / 10},
                           {"threshold", MatchPolicy::kVerifyThreshold}};
    if (result.face_id) body["face_id"] = *result.face_id;
    return body;
}

nlohmann::json detected_face_json(const AnalyzedFace& f, double live_threshold) {
    nlohmann::json face = {{"box", box_to_json(f.box)},
                           {"score", std::round(f.box.score * 1000) / 1000},
                           {"landmarks", landmarks_to_json(f.points)},
                           {"quality", quality_to_json(f.quality)}};
    if (f.liveness) face["liveness"] = liveness_to_json(*f.liveness, live_threshold);
    if (f.attributes) face["attributes"] = attributes_to_json(*f.attributes);
    return face;
}

nlohmann::json duplicate_pair_json(const DuplicatePair& pair, const FieldView& view) {
    return {{"a", person_json(pair.a, view)},
            {"b", person_json(pair.b, view)},
            {"face_a", pair.face_a},
            {"face_b", pair.face_b},
            {"similarity", round4(pair.similarity)}};
}

nlohmann::json key_json(const ApiKeyRecord& key) {
    return {{"id", key.id},
            {"name", key.name},
            {"role", key.role},
            {"created_at", to_rfc3339(key.created_at_ms)},
            {"revoked_at",
             key.revoked_at_ms ? nlohmann::json(to_rfc3339(*key.revoked_at_ms)) : nlohmann::json()}};
}

nlohmann::json audit_entry_json(const AuditEntry& e) {
    return {{"seq", e.seq},
            {"at", to_rfc3339(e.at_ms)},
            {"key_id", e.key_id},
            {"key_name", e.key_name},
            {"role", e.role},
            {"action", e.action},
            {"status", e.status},
            {"subject_ids", e.subject_ids},
            {"result_ids", e.result_ids}};
}

void log_server_error(const Error& error, std::string_view where) {
    if (error.info().http_status >= 500) spdlog::error("{}: {}", where, error.what());
}

nlohmann::json decision_json(const MatchDecision& decision) {
    nlohmann::json out = {{"threshold", round4(decision.threshold)},
                          {"basis", basis_name(decision.basis)},
                          {"gallery_templates", decision.templates},
                          {"predicted_fpir", std::round(decision.predicted_fpir * 1e5) / 1e5},
                          {"candidate_floor", round4(decision.candidate_floor)}};
    if (decision.basis == MatchDecision::Basis::kTargetFpir) out["target_fpir"] = decision.target_fpir;
    return out;
}

nlohmann::json search_results_json(const std::vector<FaceSearchResult>& results, const FieldView& view) {
    auto out = nlohmann::json::array();
    for (const auto& r : results) {
        auto candidates = nlohmann::json::array();
        for (const auto& c : r.candidates) candidates.push_back(match_json(c, view));
        out.push_back(
            {{"box", box_to_json(r.box)},
             {"quality",
              {{"score", std::round(r.quality.score * 1000) / 1000}, {"reasons", r.quality.reasons}}},
             {"match", r.match ? match_json(*r.match, view) : nlohmann::json()},
             {"candidates", candidates},
             {"decision", decision_json(r.decision)},
             {"rotation", r.rotation}});
    }
    return out;
}

nlohmann::json cleanup_removed_ids(const CleanupReport& report) {
    auto ids = nlohmann::json::array();
    for (const auto& removed : report.templates) ids.push_back(removed.face_id);
    for (const auto& person : report.persons) ids.push_back(person);
    return ids;
}

nlohmann::json cleanup_report_json(const CleanupReport& report) {
    auto templates = nlohmann::json::array();
    for (const auto& t : report.templates)
        templates.push_back({{"face_id", t.face_id}, {"person_id", t.person_id}, {"reason", t.reason}});
    return {{"dry_run", report.dry_run},
            {"started_at", to_rfc3339(report.started_at_ms)},
            {"seconds", std::round(report.seconds * 1000) / 1000},
            {"policy",
             {{"max_templates", report.policy.max_templates},
              {"max_age_days", report.policy.max_age_days},
              {"keep_best", report.policy.keep_best},
              {"inactive_days", report.policy.inactive_days}}},
            {"templates_removed", report.templates.size()},
            {"persons_removed", report.persons.size()},
            {"person_templates_removed", report.person_templates_removed},
            {"bytes_reclaimed", report.bytes_reclaimed},
            {"templates", templates},
            {"persons", report.persons}};
}

}  // namespace faceid
