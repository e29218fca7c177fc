#include "repositories/sqlite/sqlite_person_repository.h"

#include "core/case_fold.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "repositories/list_cursor.h"
#include "repositories/record_checks.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_rows.h"
#include "repositories/sqlite/sqlite_statement.h"

namespace faceid {

using namespace sqlite_rows;

namespace {

constexpr const char* kSelectPersonById =
    "SELECT " FACEID_SQLITE_PERSON_COLUMNS " FROM persons p WHERE p.id = ?1";
constexpr const char* kSelectPersonByExternalId =
    "SELECT " FACEID_SQLITE_PERSON_COLUMNS " FROM persons p WHERE p.external_id = ?1";
constexpr const char* kSelectPersonsByIds =
    "SELECT " FACEID_SQLITE_PERSON_COLUMNS " FROM persons p WHERE p.id IN (SELECT value FROM json_each(?1))";
// Keyset pagination: the first page, then every page after the (created_at, id) of the last row seen;
// both walk the persons_by_creation index. ?3 is the case-folded name filter (fold_case) or NULL for none;
// instr() takes it literally (no wildcards), faceid_fold() is registered by SqliteConnection.
constexpr const char* kListFirstPage =
    "SELECT " FACEID_SQLITE_PERSON_COLUMNS
    " FROM persons p WHERE (?3 IS NULL OR instr(faceid_fold(p.name), ?3) > 0)"
    " ORDER BY p.created_at, p.id LIMIT ?4";
constexpr const char* kListNextPage = "SELECT " FACEID_SQLITE_PERSON_COLUMNS
                                      " FROM persons p WHERE (p.created_at, p.id) > (?1, ?2)"
                                      " AND (?3 IS NULL OR instr(faceid_fold(p.name), ?3) > 0)"
                                      " ORDER BY p.created_at, p.id LIMIT ?4";

constexpr const char* kSelectFaceById = "SELECT " FACEID_SQLITE_FACE_COLUMNS " FROM faces WHERE id = ?1";
constexpr const char* kSelectFacesOfPerson =
    "SELECT " FACEID_SQLITE_FACE_COLUMNS " FROM faces WHERE person_id = ?1 ORDER BY created_at, id";
// Storage (rowid) order: a straight scan of the table, no index lookups.
constexpr const char* kSelectAllFaces = "SELECT " FACEID_SQLITE_FACE_COLUMNS " FROM faces";

}  // namespace

SqlitePersonRepository::SqlitePersonRepository(std::shared_ptr<SqliteDatabase> database)
    : database_(std::move(database)) {
    if (!database_) throw Error(ErrorCode::kInternal, "SqlitePersonRepository needs a database");
}

void SqlitePersonRepository::create_person(const PersonRecord& person, const FaceRecord& first_face) {
    check_person_id(person.id);
    if (!first_face.person_id.empty() && first_face.person_id != person.id)
        throw Error(ErrorCode::kInternal, "the first face belongs to another person");
    check_face(first_face);
    database_->write([&](SqliteConnection& connection) {
        check_external_id_free(connection, person.external_id, person.id);
        int64_t created_at = person.created_at_ms ? person.created_at_ms : now_ms();
        SqliteStatement insert(connection,
                               "INSERT INTO persons (id, name, external_id, metadata, primary_face_id, "
                               "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        insert.bind(1, person.id)
            .bind(2, person.name)
            .bind(3, person.external_id)
            .bind(4, json_text(person.metadata))
            .bind(5, face_id_from_label(first_face.label))
            .bind(6, created_at)
            .bind(7, person.updated_at_ms ? person.updated_at_ms : created_at)
            .run();
        insert_face(connection, first_face, person.id);
    });
}

void SqlitePersonRepository::add_template(const TemplateChange& change) {
    const std::string& person_id = change.added.person_id;
    check_person_id(person_id);
    check_face(change.added);
    database_->write([&](SqliteConnection& connection) {
        if (!person_exists(connection, person_id))
            throw Error(ErrorCode::kNotFound, "the person no longer exists", {{"person_id", person_id}});
        insert_face(connection, change.added, person_id);
        for (const std::string& dropped : change.dropped_face_ids) {
            // Only this person's faces; one already gone (deleted concurrently) is simply skipped.
            SqliteStatement remove(connection, "DELETE FROM faces WHERE id = ?1 AND person_id = ?2");
            remove.bind(1, dropped).bind(2, person_id).run();
        }
        if (change.new_primary_face_id) {
            SqliteStatement update(connection,
                                   "UPDATE persons SET primary_face_id = ?2 WHERE id = ?1 AND EXISTS "
                                   "(SELECT 1 FROM faces WHERE id = ?2 AND person_id = ?1)");
            update.bind(1, person_id).bind(2, *change.new_primary_face_id).run();
            if (connection.changes() == 0)
                throw Error(ErrorCode::kConflict, "the new primary face is not one of the person's faces",
                            {{"face_id", *change.new_primary_face_id}});
        }
        settle_primary(connection, person_id);
    });
}

std::optional<PersonRecord> SqlitePersonRepository::get_person(const std::string& id) {
    return database_->read([&](SqliteConnection& connection) -> std::optional<PersonRecord> {
        SqliteStatement select(connection, kSelectPersonById);
        select.bind(1, id);
        if (!select.step()) return std::nullopt;
        return read_person(select);
    });
}

std::optional<PersonRecord> SqlitePersonRepository::find_by_external_id(const std::string& external_id) {
    return database_->read([&](SqliteConnection& connection) -> std::optional<PersonRecord> {
        SqliteStatement select(connection, kSelectPersonByExternalId);
        select.bind(1, external_id);
        if (!select.step()) return std::nullopt;
        return read_person(select);
    });
}

std::vector<PersonRecord> SqlitePersonRepository::get_persons(const std::vector<std::string>& ids) {
    if (ids.empty()) return {};
    // The ids travel as one bound JSON array, expanded by json_each: no SQL is built from them.
    std::string id_array = json_text(nlohmann::json(ids));
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, kSelectPersonsByIds);
        select.bind(1, id_array);
        std::vector<PersonRecord> persons;
        while (select.step()) persons.push_back(read_person(select));
        return persons;
    });
}

PersonPage SqlitePersonRepository::list_persons(const PersonQuery& query) {
    if (query.limit < 1 || query.limit > 1000)
        throw Error(ErrorCode::kInvalidField, "limit must be between 1 and 1000", {{"field", "limit"}});
    std::optional<std::pair<int64_t, std::string>> after;
    if (!query.cursor.empty()) after = decode_list_cursor(query.cursor);
    std::optional<std::string> pattern;
    if (query.name_contains && !query.name_contains->empty()) pattern = fold_case(*query.name_contains);

    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, after ? kListNextPage : kListFirstPage);
        if (after) select.bind(1, after->first).bind(2, after->second);
        select.bind(3, pattern)
            .bind(4, int64_t(query.limit) + 1);  // one more tells whether a next page exists
        PersonPage page;
        while (select.step()) page.persons.push_back(read_person(select));
        if (page.persons.size() > size_t(query.limit)) {
            page.persons.pop_back();
            const PersonRecord& last = page.persons.back();
            page.next_cursor = encode_list_cursor(last.created_at_ms, last.id);
        }
        return page;
    });
}

bool SqlitePersonRepository::update_person(const PersonRecord& person) {
    return database_->write([&](SqliteConnection& connection) {
        if (!person_exists(connection, person.id)) return false;
        check_external_id_free(connection, person.external_id, person.id);
        SqliteStatement update(
            connection,
            "UPDATE persons SET name = ?2, external_id = ?3, metadata = ?4, updated_at = ?5 "
            "WHERE id = ?1");
        update.bind(1, person.id)
            .bind(2, person.name)
            .bind(3, person.external_id)
            .bind(4, json_text(person.metadata))
            .bind(5, person.updated_at_ms ? person.updated_at_ms : now_ms())
            .run();
        return true;
    });
}

std::vector<FaceRecord> SqlitePersonRepository::delete_person(const std::string& id) {
    return database_->write([&](SqliteConnection& connection) {
        SqliteStatement select(connection, kSelectFacesOfPerson);
        select.bind(1, id);
        std::vector<FaceRecord> faces = read_faces(select);
        SqliteStatement remove(connection, "DELETE FROM persons WHERE id = ?1");  // faces follow by cascade
        remove.bind(1, id).run();
        return faces;
    });
}

std::optional<FaceRecord> SqlitePersonRepository::get_face(const std::string& face_id) {
    return database_->read([&](SqliteConnection& connection) -> std::optional<FaceRecord> {
        SqliteStatement select(connection, kSelectFaceById);
        select.bind(1, face_id);
        if (!select.step()) return std::nullopt;
        FaceRecord face;
        read_face(select, face);
        return face;
    });
}

std::vector<FaceRecord> SqlitePersonRepository::faces_of(const std::string& person_id) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, kSelectFacesOfPerson);
        select.bind(1, person_id);
        return read_faces(select);
    });
}

std::optional<FaceRecord> SqlitePersonRepository::delete_face(const std::string& face_id) {
    return database_->write([&](SqliteConnection& connection) -> std::optional<FaceRecord> {
        FaceRecord face;
        {
            SqliteStatement select(connection, kSelectFaceById);
            select.bind(1, face_id);
            if (!select.step()) return std::nullopt;
            read_face(select, face);
        }
        SqliteStatement remove(connection, "DELETE FROM faces WHERE id = ?1");
        remove.bind(1, face_id).run();
        settle_primary(connection, face.person_id);
        return face;
    });
}

void SqlitePersonRepository::for_each_face(const std::function<void(const FaceRecord&)>& fn) {
    database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, kSelectAllFaces);
        FaceRecord face;
        while (select.step()) {
            read_face(select, face);
            fn(face);
        }
    });
}

int64_t SqlitePersonRepository::count_persons() {
    return database_->read([](SqliteConnection& connection) {
        SqliteStatement count(connection, "SELECT COUNT(*) FROM persons");
        count.step();
        return count.column_int64(0);
    });
}

int64_t SqlitePersonRepository::count_faces() {
    return database_->read([](SqliteConnection& connection) {
        SqliteStatement count(connection, "SELECT COUNT(*) FROM faces");
        count.step();
        return count.column_int64(0);
    });
}

}  // namespace faceid
