#include "repositories/sqlite/sqlite_person_repository.h"

#include "core/case_fold.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "repositories/list_cursor.h"
#include "repositories/record_checks.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_statement.h"

#include <bit>
#include <cstring>

namespace faceid {

namespace {

// Column lists shared by the queries below; the SQL is assembled from literals only.
#define FACEID_PERSON_COLUMNS                                                                  \
    "p.id, p.name, p.external_id, p.metadata, p.primary_face_id, p.created_at, p.updated_at, " \
    "(SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id), p.last_matched_at"
#define FACEID_FACE_COLUMNS                                                                          \
    "id, label, person_id, embedding, quality, quality_score, box, landmarks, photo_key, crop_key, " \
    "created_at"

constexpr const char* kSelectPersonById = "SELECT " FACEID_PERSON_COLUMNS " FROM persons p WHERE p.id = ?1";
constexpr const char* kSelectPersonByExternalId =
    "SELECT " FACEID_PERSON_COLUMNS " FROM persons p WHERE p.external_id = ?1";
constexpr const char* kSelectPersonsByIds =
    "SELECT " FACEID_PERSON_COLUMNS " FROM persons p WHERE p.id IN (SELECT value FROM json_each(?1))";
// Keyset pagination: the first page, then every page after the (created_at, id) of the last row seen;
// both walk the persons_by_creation index. ?3 is the case-folded name filter (fold_case) or NULL for none;
// instr() takes it literally (no wildcards), faceid_fold() is registered by SqliteConnection.
constexpr const char* kListFirstPage =
    "SELECT " FACEID_PERSON_COLUMNS
    " FROM persons p WHERE (?3 IS NULL OR instr(faceid_fold(p.name), ?3) > 0)"
    " ORDER BY p.created_at, p.id LIMIT ?4";
constexpr const char* kListNextPage = "SELECT " FACEID_PERSON_COLUMNS
                                      " FROM persons p WHERE (p.created_at, p.id) > (?1, ?2)"
                                      " AND (?3 IS NULL OR instr(faceid_fold(p.name), ?3) > 0)"
                                      " ORDER BY p.created_at, p.id LIMIT ?4";

constexpr const char* kSelectFaceById = "SELECT " FACEID_FACE_COLUMNS " FROM faces WHERE id = ?1";
constexpr const char* kSelectFacesOfPerson =
    "SELECT " FACEID_FACE_COLUMNS " FROM faces WHERE person_id = ?1 ORDER BY created_at, id";
// Storage (rowid) order: a straight scan of the table, no index lookups.
constexpr const char* kSelectAllFaces = "SELECT " FACEID_FACE_COLUMNS " FROM faces";
constexpr const char* kSelectFacesWithPhoto =
    "SELECT " FACEID_FACE_COLUMNS " FROM faces WHERE photo_key = ?1 ORDER BY created_at, id";
// A face of person ?2 that is not its primary (the retention policy never removes the primary).
constexpr const char* kSelectRemovableTemplate = "SELECT " FACEID_FACE_COLUMNS
                                                 " FROM faces WHERE id = ?1 AND person_id = ?2 AND id IS NOT "
                                                 "(SELECT primary_face_id FROM persons WHERE id = ?2)";

#undef FACEID_PERSON_COLUMNS
#undef FACEID_FACE_COLUMNS

// ---- float32 little-endian BLOBs ----

std::string floats_to_blob(const float* values, size_t count) {
    std::string bytes(count * sizeof(float), '\0');
    if constexpr (std::endian::native == std::endian::little) {
        if (count) std::memcpy(bytes.data(), values, bytes.size());
    } else {
        for (size_t i = 0; i < count; ++i) {
            uint32_t word = __builtin_bswap32(std::bit_cast<uint32_t>(values[i]));
            std::memcpy(bytes.data() + i * 4, &word, 4);
        }
    }
    return bytes;
}

void blob_to_floats(std::span<const std::byte> bytes, float* out, size_t count) {
    if constexpr (std::endian::native == std::endian::little) {
        if (count) std::memcpy(out, bytes.data(), count * sizeof(float));
    } else {
        for (size_t i = 0; i < count; ++i) {
            uint32_t word;
            std::memcpy(&word, bytes.data() + i * 4, 4);
            out[i] = std::bit_cast<float>(__builtin_bswap32(word));
        }
    }
}

std::span<const std::byte> as_bytes(const std::string& blob) {
    return {reinterpret_cast<const std::byte*>(blob.data()), blob.size()};
}

template <size_t N>
void read_float_array(const SqliteStatement& row, int column, std::array<float, N>& out) {
    auto bytes = row.column_blob(column);
    if (bytes.size() != N * sizeof(float))
        throw Error(ErrorCode::kStorageError, "corrupt face row: a box or landmarks blob has the wrong size");
    blob_to_floats(bytes, out.data(), N);
}

// ---- JSON columns ----

std::string json_text(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json parse_json_column(std::string_view text) {
    auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) throw Error(ErrorCode::kStorageError, "corrupt JSON in the database");
    return value;
}

// ---- rows ----

PersonRecord read_person(const SqliteStatement& row) {
    PersonRecord person;
    person.id = row.column_text(0);
    person.name = row.column_text(1);
    person.external_id = row.column_optional_text(2);
    person.metadata = parse_json_column(row.column_text_view(3));
    person.primary_face_id = row.column_optional_text(4);
    person.created_at_ms = row.column_int64(5);
    person.updated_at_ms = row.column_int64(6);
    person.face_count = row.column_int64(7);
    if (!row.is_null(8)) person.last_matched_at_ms = row.column_int64(8);
    return person;
}

// Fills face in place, so that a scan over many rows reuses its buffers.
void read_face(const SqliteStatement& row, FaceRecord& face) {
    face.id.assign(row.column_text_view(0));
    face.label = uint64_t(row.column_int64(1));
    face.person_id.assign(row.column_text_view(2));
    auto embedding = row.column_blob(3);
    if (embedding.size() % sizeof(float) != 0)
        throw Error(ErrorCode::kStorageError, "corrupt face row: embedding blob size is not a multiple of 4");
    face.embedding.resize(embedding.size() / sizeof(float));
    blob_to_floats(embedding, face.embedding.data(), face.embedding.size());
    face.quality = parse_json_column(row.column_text_view(4));
    face.quality_score = row.column_double(5);
    read_float_array(row, 6, face.box);
    read_float_array(row, 7, face.landmarks);
    face.photo_key.assign(row.column_text_view(8));
    face.crop_key.assign(row.column_text_view(9));
    face.created_at_ms = row.column_int64(10);
}

std::vector<FaceRecord> read_faces(SqliteStatement& statement) {
    std::vector<FaceRecord> faces;
    while (statement.step()) read_face(statement, faces.emplace_back());
    return faces;
}

// ---- statements used inside write transactions ----

bool person_exists(SqliteConnection& connection, const std::string& id) {
    SqliteStatement statement(connection, "SELECT 1 FROM persons WHERE id = ?1");
    statement.bind(1, id);
    return statement.step();
}

void check_external_id_free(SqliteConnection& connection, const std::optional<std::string>& external_id,
                            const std::string& person_id) {
    if (!external_id) return;
    SqliteStatement statement(connection, "SELECT 1 FROM persons WHERE external_id = ?1 AND id <> ?2");
    statement.bind(1, *external_id).bind(2, person_id);
    if (statement.step())
        throw Error(ErrorCode::kConflict, "external_id is already used by another person",
                    {{"field", "external_id"}});
}

void insert_face(SqliteConnection& connection, const FaceRecord& face, const std::string& person_id) {
    check_face(face);
    SqliteStatement insert(connection,
                           "INSERT INTO faces (id, label, person_id, embedding, quality, quality_score, box, "
                           "landmarks, photo_key, crop_key, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    std::string embedding = floats_to_blob(face.embedding.data(), face.embedding.size());
    std::string box = floats_to_blob(face.box.data(), face.box.size());
    std::string landmarks = floats_to_blob(face.landmarks.data(), face.landmarks.size());
    insert.bind(1, face_id_from_label(face.label))
        .bind(2, int64_t(face.label))
        .bind(3, person_id)
        .bind_blob(4, as_bytes(embedding))
        .bind(5, json_text(face.quality))
        .bind(6, face.quality_score)
        .bind_blob(7, as_bytes(box))
        .bind_blob(8, as_bytes(landmarks))
        .bind(9, face.photo_key)
        .bind(10, face.crop_key)
        .bind(11, face.created_at_ms ? face.created_at_ms : now_ms())
        .run();
    SqliteStatement history(connection,
                            "INSERT OR IGNORE INTO photo_history (photo_key, person_id) VALUES (?1, ?2)");
    history.bind(1, face.photo_key).bind(2, person_id).run();
}

// After faces of a person were removed: deletes the person if none is left, otherwise makes sure the
// primary is one of its faces (the best by quality_score if the old primary is gone).
void settle_primary(SqliteConnection& connection, const std::string& person_id) {
    SqliteStatement best(connection,
                         "SELECT id FROM faces WHERE person_id = ?1 "
                         "ORDER BY quality_score DESC, created_at, id LIMIT 1");
    best.bind(1, person_id);
    if (!best.step()) {
        SqliteStatement remove(connection, "DELETE FROM persons WHERE id = ?1");
        remove.bind(1, person_id).run();
        return;
    }
    SqliteStatement update(
        connection,
        "UPDATE persons SET primary_face_id = ?2 WHERE id = ?1 AND (primary_face_id IS NULL "
        "OR primary_face_id NOT IN (SELECT id FROM faces WHERE person_id = ?1))");
    update.bind(1, person_id).bind(2, best.column_text_view(0)).run();
}

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

bool SqlitePersonRepository::is_blob_referenced(const std::string& key) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement exists(connection,
                               "SELECT EXISTS (SELECT 1 FROM faces WHERE photo_key = ?1) "
                               "OR EXISTS (SELECT 1 FROM faces WHERE crop_key = ?1)");
        exists.bind(1, key);
        exists.step();
        return exists.column_int64(0) != 0;
    });
}

std::vector<FaceRecord> SqlitePersonRepository::faces_with_photo(const std::string& photo_key) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, kSelectFacesWithPhoto);
        select.bind(1, photo_key);
        return read_faces(select);
    });
}

std::vector<std::string> SqlitePersonRepository::persons_with_photo(const std::string& photo_key) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, "SELECT person_id FROM photo_history WHERE photo_key = ?1");
        select.bind(1, photo_key);
        std::vector<std::string> ids;
        while (select.step()) ids.push_back(select.column_text(0));
        return ids;
    });
}

void SqlitePersonRepository::record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) {
    if (matched_at.empty()) return;
    database_->write([&](SqliteConnection& connection) {
        for (const auto& [person_id, at] : matched_at) {
            SqliteStatement update(connection,
                                   "UPDATE persons SET last_matched_at = ?2 WHERE id = ?1 "
                                   "AND (last_matched_at IS NULL OR last_matched_at < ?2)");
            update.bind(1, person_id).bind(2, at).run();
        }
    });
}

std::vector<std::string> SqlitePersonRepository::persons_for_retention(int64_t created_before_ms,
                                                                       int max_faces) {
    return database_->read([&](SqliteConnection& connection) {
        // Old templates through the faces_by_creation index; large persons through faces_by_person.
        SqliteStatement select(connection,
                               "SELECT f.person_id FROM faces f JOIN persons p ON p.id = f.person_id "
                               "WHERE f.created_at < ?1 AND f.id IS NOT p.primary_face_id "
                               "UNION SELECT person_id FROM faces WHERE ?2 > 0 "
                               "GROUP BY person_id HAVING COUNT(*) > ?2");
        select.bind(1, created_before_ms).bind(2, int64_t(max_faces));
        std::vector<std::string> ids;
        while (select.step()) ids.push_back(select.column_text(0));
        return ids;
    });
}

std::vector<std::string> SqlitePersonRepository::inactive_persons(int64_t before_ms) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection,
                               "SELECT p.id FROM persons p WHERE p.created_at < ?1 AND p.updated_at < ?1 "
                               "AND COALESCE(p.last_matched_at, 0) < ?1 AND NOT EXISTS "
                               "(SELECT 1 FROM faces f WHERE f.person_id = p.id AND f.created_at >= ?1)");
        select.bind(1, before_ms);
        std::vector<std::string> ids;
        while (select.step()) ids.push_back(select.column_text(0));
        return ids;
    });
}

std::vector<FaceRecord> SqlitePersonRepository::remove_templates(const std::string& person_id,
                                                                 const std::vector<std::string>& face_ids) {
    if (face_ids.empty()) return {};
    return database_->write([&](SqliteConnection& connection) {
        std::vector<FaceRecord> removed;
        for (const std::string& face_id : face_ids) {
            SqliteStatement select(connection, kSelectRemovableTemplate);
            select.bind(1, face_id).bind(2, person_id);
            if (!select.step()) continue;
            read_face(select, removed.emplace_back());
            SqliteStatement remove(connection, "DELETE FROM faces WHERE id = ?1");
            remove.bind(1, face_id).run();
        }
        if (!removed.empty()) settle_primary(connection, person_id);
        return removed;
    });
}

}  // namespace faceid
