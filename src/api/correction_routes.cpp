// Routes for corrections by hand (issue 13): merge two persons, move a face to another or a new person,
// and keep a pair from the duplicates review apart. Pinning the primary photo is part of PATCH
// /persons/{id} (person_routes.cpp). The rules are in CorrectionService; these parse and render.
#include "api/access_policy.h"
#include "api/request_reader.h"
#include "core/error.h"

#include <algorithm>
#include <array>

namespace faceid {
namespace {

constexpr size_t kIdMax = 64;

nlohmann::json transfer_json(const TransferResult& result, const FieldView& view) {
    auto moved = nlohmann::json::array();
    for (const auto& [from, to] : result.moved) moved.push_back({{"from", from}, {"to", to}});
    return {{"person", person_json(result.person, view)},
            {"from_person", result.from_person ? person_json(*result.from_person, view) : nlohmann::json()},
            {"moved", moved},
            {"dropped_face_ids", result.dropped_face_ids},
            {"created", result.created}};
}

// The ids a transfer changed, for the audit entry: both persons, the old and new face ids, the dropped.
nlohmann::json transfer_ids(const TransferResult& result, const std::string& from_person_id) {
    auto ids = nlohmann::json::array({result.person.id, from_person_id});
    for (const auto& [from, to] : result.moved) {
        ids.push_back(from);
        ids.push_back(to);
    }
    for (const auto& id : result.dropped_face_ids) ids.push_back(id);
    return ids;
}

void merge_persons(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string& into = req.path_param(0);
    RequestReader in(req);
    const std::string from = in.required_text("person_id", kIdMax);
    call.audit_ids(nlohmann::json::array({into, from}), nlohmann::json::array());
    const auto result = call.services.corrections.merge(into, from);
    call.audit_ids(nlohmann::json::array({into, from}), transfer_ids(result, from));
    send_json(res, 200, transfer_json(result, call.view(req)));
}

void move_face(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string& face_id = req.path_param(0);
    RequestReader in(req);
    MoveTarget target;
    target.person_id = in.text("person_id", kIdMax);
    if (target.person_id && target.person_id->empty()) target.person_id.reset();
    target.name = in.text("name", 200);
    target.external_id = in.text("external_id", 128);
    target.metadata = in.object("metadata");
    if (target.person_id && (target.name || target.external_id || target.metadata))
        throw Error(ErrorCode::kInvalidField,
                    "Give either person_id (an existing person) or name (a new person), not both.",
                    {{"field", "person_id"}});
    call.audit_ids(nlohmann::json::array({face_id}), nlohmann::json::array());
    const auto before = call.services.persons.face_owner(face_id);
    const auto result = call.services.corrections.move_face(face_id, target);
    call.audit_ids(nlohmann::json::array({face_id}), transfer_ids(result, before));
    send_json(res, result.created ? 201 : 200, transfer_json(result, call.view(req)));
}

void keep_apart(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    RequestReader in(req);
    const auto& body = in.json_body();
    if (!body.is_object() || !body.contains("person_ids") || !body["person_ids"].is_array() ||
        body["person_ids"].size() != 2 || !body["person_ids"][0].is_string() ||
        !body["person_ids"][1].is_string())
        throw Error(ErrorCode::kInvalidField, "Send {\"person_ids\": [two person ids]}.",
                    {{"field", "person_ids"}});
    const std::string a = body["person_ids"][0].get<std::string>().substr(0, kIdMax);
    const std::string b = body["person_ids"][1].get<std::string>().substr(0, kIdMax);
    call.audit_ids(nlohmann::json::array({a, b}), nlohmann::json::array());
    call.services.corrections.keep_apart(a, b);
    call.audit_ids(nlohmann::json::array({a, b}), nlohmann::json::array({a, b}));
    send_json(res, 200, {{"kept_apart", nlohmann::json::array({std::min(a, b), std::max(a, b)})}});
}

constexpr uint8_t kAdmin = kAdminRole, kOperator = kOperatorRole;

// Merging and moving are everyday corrections of an operator, like registering (which may drop templates
// over the limit too); each is audited with every id it changed.
constexpr std::array kRoutes = {
    RouteRule{"POST", "/persons/{id}/merge", false, kAdmin | kOperator, "person.merge", merge_persons},
    RouteRule{"POST", "/faces/{id}/move", false, kAdmin | kOperator, "face.move", move_face},
    RouteRule{"POST", "/admin/duplicates/keep-apart", false, kAdmin, "duplicates.keep_apart", keep_apart},
};

}  // namespace

std::span<const RouteRule> correction_routes() {
    return kRoutes;
}

}  // namespace faceid
