#include "services/person_service.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"

#include <cstdlib>

namespace faceid {
namespace {

constexpr size_t kNameMax = 200;
constexpr size_t kCursorMax = 200;

[[noreturn]] void person_not_found(const std::string& id) {
    throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", id}});
}

[[noreturn]] void face_not_found(const std::string& id) {
    throw Error(ErrorCode::kNotFound, "No face with this id.", {{"face_id", id}});
}

}  // namespace

void PersonService::check_person_id(const std::string& id) {
    if (!is_well_formed_id(id, 'p')) person_not_found(id.substr(0, 64));
}

void PersonService::check_face_id(const std::string& id) {
    if (!is_well_formed_id(id, 'f')) face_not_found(id.substr(0, 64));
}

PersonRecord PersonService::get(const std::string& person_id) {
    check_person_id(person_id);
    auto person = gallery_.persons().get_person(person_id);
    if (!person) person_not_found(person_id);
    return *person;
}

PersonWithFaces PersonService::get_with_faces(const std::string& person_id) {
    PersonWithFaces out{get(person_id), {}};
    out.faces = gallery_.persons().faces_of(out.person.id);
    return out;
}

PersonPage PersonService::list(const PersonListRequest& request) {
    PersonQuery query;
    if (request.limit) {
        const std::string& raw = *request.limit;
        char* end = nullptr;
        const long limit = std::strtol(raw.c_str(), &end, 10);
        if (raw.empty() || *end != '\0' || limit < 1 || limit > 1000)
            throw Error(ErrorCode::kInvalidField, "limit must be between 1 and 1000.", {{"field", "limit"}});
        query.limit = int(limit);
    }
    query.cursor = request.cursor;
    if (query.cursor.size() > kCursorMax)
        throw Error(ErrorCode::kInvalidField, "cursor is malformed.", {{"field", "cursor"}});
    if (request.name) {
        if (request.name->size() > kNameMax)
            throw Error(ErrorCode::kInvalidField, "name is too long.", {{"field", "name"}});
        if (!request.name->empty()) query.name_contains = *request.name;
    }
    return gallery_.persons().list_persons(query);
}

PersonRecord PersonService::update(const std::string& person_id, const PersonUpdate& update) {
    std::unique_lock<std::mutex> locked;
    if (locks_) locked = locks_->lock(person_id);
    auto person = get(person_id);
    if (update.name) {
        if (update.name->empty())
            throw Error(ErrorCode::kInvalidField, "name must not be empty.", {{"field", "name"}});
        person.name = *update.name;
    }
    if (update.has_external_id)
        person.external_id =
            update.external_id && !update.external_id->empty() ? update.external_id : std::nullopt;
    if (update.metadata) person.metadata = *update.metadata;
    person.updated_at_ms = now_ms();
    if (!gallery_.persons().update_person(person)) person_not_found(person.id);
    return get(person.id);
}

void PersonService::delete_person(const std::string& person_id) {
    check_person_id(person_id);
    if (!gallery_.delete_person(person_id)) person_not_found(person_id);
}

void PersonService::delete_face(const std::string& face_id) {
    check_face_id(face_id);
    if (!gallery_.delete_face(face_id)) face_not_found(face_id);
}

std::string PersonService::primary_photo_key(const std::string& person_id) {
    const auto person = get(person_id);
    std::optional<FaceRecord> face;
    if (person.primary_face_id) face = gallery_.persons().get_face(*person.primary_face_id);
    if (!face) throw Error(ErrorCode::kNotFound, "This person has no photo.", {{"person_id", person.id}});
    return face->photo_key;
}

std::string PersonService::face_owner(const std::string& face_id) {
    check_face_id(face_id);
    auto face = gallery_.persons().get_face(face_id);
    if (!face) face_not_found(face_id);
    return face->person_id;
}

std::string PersonService::crop_key(const std::string& face_id) {
    check_face_id(face_id);
    auto face = gallery_.persons().get_face(face_id);
    if (!face) face_not_found(face_id);
    return face->crop_key;
}

}  // namespace faceid
