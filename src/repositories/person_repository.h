#pragma once
// Persistence of persons and their face templates: create, read, update, delete. Every write is atomic and
// durable when it returns: after a crash, either all of it is there or none of it. One contract test suite
// (tests/contract/person_repository_contract.cpp) runs against every implementation.
// The other jobs on the same records have their own interfaces, so that a caller depends on what it uses
// and each job is implemented and tested on its own: photo_references.h (which faces use a stored photo:
// import and file reclaiming), retention_queries.h (what a retention policy may remove) and match_log.h
// (when searches last matched a person).
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
};

}  // namespace faceid
