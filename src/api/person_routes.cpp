// Routes over stored persons and faces: list, read, update, delete, photos and crops. The rules are in
// PersonService; these parse the request and render the answer.
#include "api/http_server.h"
#include "api/request_reader.h"

namespace faceid {

void HttpServer::add_person_routes() {
    add(Method::kGet, "/persons", "/persons", [this](const httplib::Request& req, httplib::Response& res) {
        PersonListRequest request;
        if (req.has_param("limit")) request.limit = req.get_param_value("limit");
        request.cursor = req.get_param_value("cursor");
        if (req.has_param("name")) request.name = req.get_param_value("name");
        const auto page = services_.persons.list(request);
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
            const auto found = services_.persons.get_with_faces(req.matches[1]);
            const FieldView view = view_for(req);
            auto body = person_json(found.person, view);
            body["faces"] = nlohmann::json::array();
            for (const auto& face : found.faces)
                body["faces"].push_back(face_json(face, found.person.primary_face_id == face.id, view));
            send_json(res, 200, body);
        });

    add(Method::kPatch, R"(/persons/([^/]+))", "/persons/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = req.matches[1];
            PersonService::check_person_id(id);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array());
            services_.persons.get(id);  // an unknown person is not found before its body is read
            RequestReader in(req);
            PersonUpdate update;
            update.name = in.text("name", 200);
            update.has_external_id = in.has("external_id");
            if (update.has_external_id) update.external_id = in.text("external_id", 128);
            update.metadata = in.object("metadata");
            const auto person = services_.persons.update(id, update);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array({id}));
            send_json(res, 200, person_json(person, view_for(req)));
        });

    add(Method::kDelete, R"(/persons/([^/]+))", "/persons/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = req.matches[1];
            PersonService::check_person_id(id);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array());
            services_.persons.delete_person(id);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array({id}));
            send_json(res, 200, {{"deleted", id}});
        });

    add(Method::kDelete, R"(/faces/([^/]+))", "/faces/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
            const std::string id = req.matches[1];
            PersonService::check_face_id(id);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array());
            services_.persons.delete_face(id);
            audit_ids(req, nlohmann::json::array({id}), nlohmann::json::array({id}));
            send_json(res, 200, {{"deleted", id}});
        });

    add(Method::kGet, R"(/persons/([^/]+)/photo)", "/persons/{id}/photo",
        [this](const httplib::Request& req, httplib::Response& res) {
            send_blob(res, services_.persons.primary_photo_key(req.matches[1]));
        });

    add(Method::kGet, R"(/faces/([^/]+)/crop)", "/faces/{id}/crop",
        [this](const httplib::Request& req, httplib::Response& res) {
            send_blob(res, services_.persons.crop_key(req.matches[1]));
        });
}

}  // namespace faceid
