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

nlohmann::json person_json(const PersonRecord& person, const FieldView& view) {
    nlohmann::json out = {
        {"id", person.id},
        {"name", person.name},
        {"primary_face_id",
         person.primary_face_id ? nlohmann::json(*person.primary_face_id) : nlohmann::json()},
        {"face_count", person.face_count},
        {"created_at", to_rfc3339(person.created_at_ms)},
        {"updated_at", to_rfc3339(person.updated_at_ms)},
        {"last_matched_at", person.last_matched_at_ms ? nlohmann::json(to_rfc3339(*person.last_matched_at_ms))
                                                      : nlohmann::json()},
    };
    if (view.metadata) {
        out["external_id"] = person.external_id ? nlohmann::json(*person.external_id) : nlohmann::json();
        out["metadata"] = person.metadata;
    }
    if (view.photos && person.primary_face_id) {
        out["photo_url"] = "/persons/" + person.id + "/photo";
        out["crop_url"] = "/faces/" + *person.primary_face_id + "/crop";
    }
    return out;
}

nlohmann::json face_json(const FaceRecord& face, bool primary, const FieldView& view) {
    nlohmann::json out = {
        {"id", face.id},
        {"person_id", face.person_id},
        {"primary", primary},
        {"box", {round1(face.box[0]), round1(face.box[1]), round1(face.box[2]), round1(face.box[3])}},
        {"created_at", to_rfc3339(face.created_at_ms)},
    };
    if (view.quality) out["quality"] = face.quality;
    if (view.photos) out["crop_url"] = "/faces/" + face.id + "/crop";
    if (view.embeddings) out["embedding"] = embedding_to_json(face.embedding);
    return out;
}

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

nlohmann::json error_json(const std::string& code, const std::string& message,
                          const nlohmann::json& details) {
    return {{"error", {{"code", code}, {"message", message}, {"details", details}}}};
}

nlohmann::json error_json(const Error& error) {
    const auto& info = error.info();
    if (info.http_status >= 500)
        return error_json(std::string(info.name), std::string(info.message), nlohmann::json::object());
    return error_json(std::string(info.name), error.what(), error.details());
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
             {"decision", decision_json(r.decision)}});
    }
    return out;
}

}  // namespace faceid
