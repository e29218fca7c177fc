#pragma once
// Persistence of persons and their face templates. Every write is atomic and durable when it returns:
// after a crash, either all of it is there or none of it. One contract test suite
// (tests/contract/person_repository_contract.cpp) runs against every implementation.
#include "core/records.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct PersonQuery {
    int limit = 50;                            // 1..1000
    std::string cursor;                        // opaque; empty = from the start
    std::optional<std::string> name_contains;  // case-insensitive substring filter
};

struct PersonPage {
    std::vector<PersonRecord> persons;  // ordered by creation time, then id
    std::string next_cursor;            // empty when there is no further page
};

// A registration's change to one person's templates, applied in one transaction.
struct TemplateChange {
    FaceRecord added;
    std::optional<std::string> new_primary_face_id;  // set the person's primary to this face
    std::vector<std::string> dropped_face_ids;       // templates removed to stay within the limit
};

class PersonRepository {
  public:
    virtual ~PersonRepository() = default;

    // Creates a person together with its first face, which becomes the primary.
    // Throws Error(kConflict) if external_id is already taken.
    virtual void create_person(const PersonRecord& person, const FaceRecord& first_face) = 0;
    // Adds a template to an existing person. Throws Error(kNotFound) when the person is gone.
    virtual void add_template(const TemplateChange& change) = 0;

    virtual std::optional<PersonRecord> get_person(const std::string& id) = 0;
    virtual std::optional<PersonRecord> find_by_external_id(const std::string& external_id) = 0;
    // Persons for the given ids, in no particular order; unknown ids are skipped.
    virtual std::vector<PersonRecord> get_persons(const std::vector<std::string>& ids) = 0;
    virtual PersonPage list_persons(const PersonQuery& query) = 0;
    // Updates name, external_id and metadata (and updated_at). Returns false when the person is unknown.
    // Throws Error(kConflict) if external_id is already taken by another person.
    virtual bool update_person(const PersonRecord& person) = 0;
    // Deletes the person and all its faces; returns the faces removed (empty if the person was unknown).
    virtual std::vector<FaceRecord> delete_person(const std::string& id) = 0;

    virtual std::optional<FaceRecord> get_face(const std::string& face_id) = 0;
    virtual std::vector<FaceRecord> faces_of(const std::string& person_id) = 0;
    // Deletes one face. If it was the primary, the best remaining face (by quality_score) becomes primary;
    // if it was the person's last face, the person is deleted too. Returns the removed face, if any.
    virtual std::optional<FaceRecord> delete_face(const std::string& face_id) = 0;

    // Calls fn for every stored face (used to rebuild the vector index at start).
    virtual void for_each_face(const std::function<void(const FaceRecord&)>& fn) = 0;
    virtual int64_t count_persons() = 0;
    virtual int64_t count_faces() = 0;
    // True if any stored face or person refers to this photo-store key (to decide whether to delete it).
    virtual bool is_blob_referenced(const std::string& key) = 0;

    // ---- Bulk import, retention and duplicates (issue 8) ----

    // Faces of any person whose whole photo is stored under this PhotoStore key (the same bytes were
    // registered before).
    virtual std::vector<FaceRecord> faces_with_photo(const std::string& photo_key) = 0;
    // Ids of the persons that were ever given a face from this photo (create_person, add_template), even
    // if that face was dropped or removed since; forgotten when the person is deleted. Lets a re-run of an
    // import skip what it already handled.
    virtual std::vector<std::string> persons_with_photo(const std::string& photo_key) = 0;
    // Notes that searches matched these persons at these times (person id, epoch ms); keeps the latest
    // time per person, ignores unknown ids. Read back as PersonRecord::last_matched_at_ms.
    virtual void record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) = 0;
    // Ids of persons that a template retention policy may concern: those with a face that is not their
    // primary and was created before created_before_ms (0 disables this condition), or with more than
    // max_faces faces (max_faces <= 0 disables it). Any order.
    virtual std::vector<std::string> persons_for_retention(int64_t created_before_ms, int max_faces) = 0;
    // Ids of persons with no sign of life since before_ms: not created, updated, given a face or matched
    // by a search at or after that time. Any order.
    virtual std::vector<std::string> inactive_persons(int64_t before_ms) = 0;
    // Deletes the listed faces of one person in one transaction, except the person's primary face, which
    // is never removed this way (so the person always keeps one face). Ids of other persons' faces and
    // unknown ids are skipped. Returns the faces removed.
    virtual std::vector<FaceRecord> remove_templates(const std::string& person_id,
                                                     const std::vector<std::string>& face_ids) = 0;
};

}  // namespace faceid
