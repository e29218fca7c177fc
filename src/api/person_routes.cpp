// Routes over stored persons and faces: list, read, update, delete, photos and crops. The rules are in
// PersonService; these parse the request and render the answer.
#include "api/access_policy.h"
#include "api/request_reader.h"
#include "core/error.h"
#include "core/ids.h"

#include <spdlog/spdlog.h>

#include <array>
#include <memory>

namespace faceid {

// A local file is streamed in pieces, so a download holds at most one piece in memory. A remote store's
// blob is read whole here, on the worker: the transport pulls a stream on its event-loop thread, which a
// slow object store must not stall (PhotoStore::remote; a blob is at most the upload limit). The access
// checks ran before (the route's roles); a store that fails mid-body closes the connection, as the length
// was already sent.
void send_blob(HttpResponse& res, PhotoStore& photos, const std::string& key) {
    std::shared_ptr<PhotoReader> reader = photos.open(key);
    if (!reader) throw Error(ErrorCode::kNotFound, "The photo file is missing.");
    std::string type = "application/octet-stream";
    if (key.ends_with(".jpg")) type = "image/jpeg";
    if (key.ends_with(".png")) type = "image/png";
    if (key.ends_with(".webp")) type = "image/webp";
    if (key.ends_with(".bmp")) type = "image/bmp";
    res.set_header("Cache-Control", "private, max-age=86400");  // content-addressed: never changes
    if (photos.remote()) {
        std::string bytes(reader->size(), '\0');
        for (size_t done = 0; done < bytes.size();) {
            const size_t got = reader->read(done, bytes.data() + done, bytes.size() - done);
            if (got == 0) throw Error(ErrorCode::kStorageError, "The stored photo ended early.");
            done += got;
        }
        res.set_content(std::move(bytes), std::move(type));
        return;
    }
    StreamedBody body;
    body.size = reader->size();
    body.read = [reader, key](uint64_t offset, char* out, size_t max) -> std::optional<size_t> {
        try {
            return reader->read(offset, out, max);
        } catch (const std::exception& e) {
            spdlog::error("photo {} failed while being sent: {}", key, e.what());
            return std::nullopt;
        }
    };
    res.set_stream(std::move(body), std::move(type));
}

namespace {

void list_persons(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    PersonListRequest request;
    if (req.has_param("limit")) request.limit = req.param("limit");
    request.cursor = req.param("cursor");
    if (req.has_param("name")) request.name = req.param("name");
    const auto page = call.services.persons.list(request);
    const FieldView view = call.view(req);
    auto persons = nlohmann::json::array();
    for (const auto& p : page.persons) persons.push_back(person_json(p, view));
    send_json(
        res, 200,
        {{"persons", persons},
         {"next_cursor", page.next_cursor.empty() ? nlohmann::json() : nlohmann::json(page.next_cursor)}});
}

void get_person(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const auto found = call.services.persons.get_with_faces(req.path_param(0));
    const FieldView view = call.view(req);
    auto body = person_json(found.person, view);
    body["primary_pinned"] = call.services.corrections.is_primary_pinned(found.person.id);
    body["faces"] = nlohmann::json::array();
    for (const auto& face : found.faces)
        body["faces"].push_back(face_json(face, found.person.primary_face_id == face.id, view));
    send_json(res, 200, body);
}

void update_person(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string& id = req.path_param(0);
    PersonService::check_person_id(id);
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array());
    call.services.persons.get(id);  // an unknown person is not found before its body is read
    RequestReader in(req);
    PersonUpdate update;
    update.name = in.text("name", 200);
    update.has_external_id = in.has("external_id");
    if (update.has_external_id) update.external_id = in.text("external_id", 128);
    update.metadata = in.object("metadata");
    // primary_face_id pins that photo as the primary (automatic choices then leave it alone).
    const auto primary = in.text("primary_face_id", 64);
    if (primary && primary->empty())
        throw Error(ErrorCode::kInvalidField, "primary_face_id must name one of the person's faces.",
                    {{"field", "primary_face_id"}});
    // Checked before anything is written, so that a wrong face id changes nothing.
    if (primary && (!is_well_formed_id(*primary, 'f') || call.services.persons.face_owner(*primary) != id))
        throw Error(ErrorCode::kNotFound, "This face is not one of the person's photos.",
                    {{"face_id", primary->substr(0, 64)}, {"person_id", id}});
    auto person = call.services.persons.update(id, update);
    if (primary) person = call.services.corrections.pin_primary(id, *primary);
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array({id}));
    auto body = person_json(person, call.view(req));
    body["primary_pinned"] = call.services.corrections.is_primary_pinned(id);
    send_json(res, 200, body);
}

void delete_person(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string& id = req.path_param(0);
    PersonService::check_person_id(id);
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array());
    call.services.persons.delete_person(id);
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array({id}));
    send_json(res, 200, {{"deleted", id}});
}

void delete_face(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string& id = req.path_param(0);
    PersonService::check_face_id(id);
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array());
    call.services.persons.delete_face(id);
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array({id}));
    send_json(res, 200, {{"deleted", id}});
}

void person_photo(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    send_blob(res, call.services.gallery.photos(),
              call.services.persons.primary_photo_key(req.path_param(0)));
}

void face_crop(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    send_blob(res, call.services.gallery.photos(), call.services.persons.crop_key(req.path_param(0)));
}

constexpr uint8_t kAdmin = kAdminRole, kOperator = kOperatorRole, kAuditor = kAuditorRole;

constexpr std::array kRoutes = {
    RouteRule{"GET", "/persons", false, kAdmin | kOperator | kAuditor, "", list_persons},
    RouteRule{"GET", "/persons/{id}", false, kAdmin | kOperator | kAuditor, "", get_person},
    RouteRule{"PATCH", "/persons/{id}", false, kAdmin | kOperator, "update", update_person},
    RouteRule{"DELETE", "/persons/{id}", false, kAdmin, "delete.person", delete_person},
    RouteRule{"DELETE", "/faces/{id}", false, kAdmin, "delete.face", delete_face},
    RouteRule{"GET", "/persons/{id}/photo", false, kAdmin | kOperator, "", person_photo},
    RouteRule{"GET", "/faces/{id}/crop", false, kAdmin | kOperator, "", face_crop},
};

}  // namespace

std::span<const RouteRule> person_routes() {
    return kRoutes;
}

}  // namespace faceid
