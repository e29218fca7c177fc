// Routes over stored persons and faces: list, read, update, delete, photos and crops.
#include "api/http_server.h"
#include "api/request_reader.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"

namespace faceid {
namespace {

// Ids come from the URL: anything not shaped like one of ours is simply not found.
std::string person_id_from(const httplib::Request& req) {
    const std::string id = req.matches[1];
    if (!is_well_formed_id(id, 'p'))
        throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", id.substr(0, 64)}});
    return id;
}

std::string face_id_from(const httplib::Request& req) {
    const std::string id = req.matches[1];
    if (!is_well_formed_id(id, 'f'))
        throw Error(ErrorCode::kNotFound, "No face with this id.", {{"face_id", id.substr(0, 64)}});
    return id;
}

PersonRecord existing_person(PersonRepository& persons, const std::string& id) {
    auto person = persons.get_person(id);
    if (!person) throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", id}});
    return *person;
}

}  // namespace

void HttpServer::add_person_routes() {
    add(Method::kGet, "/persons", "/persons", [this](const httplib::Request& req, httplib::Response& res) {
        PersonQuery query;
        if (req.has_param("limit")) {
            const std::string raw = req.get_param_value("limit");
            char* end = nullptr;
            const long limit = std::strtol(raw.c_str(), &end, 10);
            if (raw.empty() || *end != '\0' || limit < 1 || limit > 1000)
                throw Error(ErrorCode::kInvalidField, "limit must be between 1 and 1000.",
                            {{"field", "limit"}});
            query.limit = int(limit);
        }
        query.cursor = req.get_param_value("cursor");
        if (query.cursor.size() > 200)
            throw Error(ErrorCode::kInvalidField, "cursor is malformed.", {{"field", "cursor"}});
        if (req.has_param("name")) {
            const std::string name = req.get_param_value("name");
            if (name.size() > 200)
                throw Error(ErrorCode::kInvalidField, "name is too long.", {{"field", "name"}});
            if (!name.empty()) query.name_contains = name;
        }
        const auto page = services_.gallery.persons().list_persons(query);
        const FieldView view = view_for(req);
        auto persons = nlohmann::json::array();
        for (const auto& p : page.persons) persons.push_back(person_json(p, view));
        send_json(res, 200,
                  {{"persons", persons},
                   {"next_cursor",
                    page.next_cursor.empty() ? nlohmann::json() : nlohmann::json(page.next_cursor)}});
    });

    add(Method::kGet, R"(/persons/([^/]+))", "/persons/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
            auto& persons = services_.gallery.persons();
            const auto person = existing_person(persons, person_id_from(req));
            const FieldView view = view_for(req);
            auto body = person_json(person, view);
            body["faces"] = nlohmann::json::array();
            for (const auto& face : persons.faces_of(person.id))
                body["faces"].push_back(face_json(face, person.primary_face_id == face.id, view));
            send_json(res, 200, body);
        });

    add(Method::kPatch, R"(/persons/([^/]+))", "/persons/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
            auto& persons = services_.gallery.persons();
            const std::string id = person_id_from(req);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array());
            auto person = existing_person(persons, id);
            RequestReader in(req);
            if (auto name = in.text("name", 200)) {
                if (name->empty())
                    throw Error(ErrorCode::kInvalidField, "name must not be empty.", {{"field", "name"}});
                person.name = *name;
            }
            if (in.has("external_id")) {
                auto external_id = in.text("external_id", 128);
                person.external_id = external_id && !external_id->empty() ? external_id : std::nullopt;
            }
            if (auto metadata = in.object("metadata")) person.metadata = *metadata;
            person.updated_at_ms = now_ms();
            if (!persons.update_person(person))
                throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", person.id}});
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array({id}));
            send_json(res, 200, person_json(existing_person(persons, person.id), view_for(req)));
        });

    add(Method::kDelete, R"(/persons/([^/]+))", "/persons/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = person_id_from(req);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array());
            if (!services_.gallery.delete_person(id))
                throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", id}});
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array({id}));
            send_json(res, 200, {{"deleted", id}});
        });

    add(Method::kDelete, R"(/faces/([^/]+))", "/faces/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = face_id_from(req);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array());
            if (!services_.gallery.delete_face(id))
                throw Error(ErrorCode::kNotFound, "No face with this id.", {{"face_id", id}});
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array({id}));
            send_json(res, 200, {{"deleted", id}});
        });

    add(Method::kGet, R"(/persons/([^/]+)/photo)", "/persons/{id}/photo",
        [this](const httplib::Request& req, httplib::Response& res) {
            auto& persons = services_.gallery.persons();
            const auto person = existing_person(persons, person_id_from(req));
            std::optional<FaceRecord> face;
            if (person.primary_face_id) face = persons.get_face(*person.primary_face_id);
            if (!face)
                throw Error(ErrorCode::kNotFound, "This person has no photo.", {{"person_id", person.id}});
            send_blob(res, face->photo_key);
        });

    add(Method::kGet, R"(/faces/([^/]+)/crop)", "/faces/{id}/crop",
        [this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = face_id_from(req);
            auto face = services_.gallery.persons().get_face(id);
            if (!face) throw Error(ErrorCode::kNotFound, "No face with this id.", {{"face_id", id}});
            send_blob(res, face->crop_key);
        });
}

}  // namespace faceid
