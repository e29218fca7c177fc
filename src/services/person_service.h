#pragma once
// Stored persons and faces as the API offers them: read one person with its faces, list a page, update a
// person's name, external id and metadata, delete a person or a face, and find the photo and crop files.
// The rules (what is not found, what is invalid) live here; the routes only parse and render.
#include "core/records.h"
#include "services/gallery.h"
#include "services/person_locks.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct PersonListRequest {
    std::optional<std::string> limit;  // as given: a whole number 1..1000
    std::string cursor;
    std::optional<std::string> name;  // contains (case-insensitive); empty: no filter
};

// A PATCH of a person: absent fields stay as they are.
struct PersonUpdate {
    std::optional<std::string> name;  // must not be empty when given
    bool has_external_id = false;     // given (an empty or null value clears it)
    std::optional<std::string> external_id;
    std::optional<nlohmann::json> metadata;  // replaces the metadata when given
};

struct PersonWithFaces {
    PersonRecord person;
    std::vector<FaceRecord> faces;
};

class PersonService {
  public:
    // `locks`: registration's per-person locks (RegistrationService::person_locks()), so that an update
    // (a read, then a write of the whole record) cannot undo a merge's fields or another update's; none in
    // tools that run alone.
    explicit PersonService(Gallery& gallery, PersonLocks* locks = nullptr)
        : gallery_(gallery), locks_(locks) {}

    // Ids that are not shaped like ours are simply not found: Error(kNotFound) for all of these.
    PersonRecord get(const std::string& person_id);
    PersonWithFaces get_with_faces(const std::string& person_id);
    // Throws Error(kInvalidField) for a limit, cursor or name out of bounds.
    PersonPage list(const PersonListRequest& request);
    // Returns the updated person as stored.
    PersonRecord update(const std::string& person_id, const PersonUpdate& update);
    void delete_person(const std::string& person_id);
    void delete_face(const std::string& face_id);
    // The photo file of the person's primary face; Error(kNotFound) when there is none.
    std::string primary_photo_key(const std::string& person_id);
    std::string crop_key(const std::string& face_id);
    // The id of the person the face belongs to; Error(kNotFound) for an unknown face.
    std::string face_owner(const std::string& face_id);

    // Error(kNotFound) unless the id is shaped like a person's (face's) id.
    static void check_person_id(const std::string& id);
    static void check_face_id(const std::string& id);

  private:
    Gallery& gallery_;
    PersonLocks* locks_;
};

}  // namespace faceid
