#include "schemas/record_json.h"

#include "core/clock.h"
#include "schemas/face_json.h"

#include <cmath>

namespace faceid {
namespace {
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
    if (view.external_id)
        out["external_id"] = person.external_id ? nlohmann::json(*person.external_id) : nlohmann::json();
    if (view.metadata) out["metadata"] = person.metadata;
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

}  // namespace faceid
