#pragma once
// Row mapping and in-transaction statements shared by the SQLite implementations of the person jobs
// (SqlitePersonRepository, SqlitePhotoReferences, SqliteRetentionQueries, SqliteMatchLog), which all work
// on the tables persons, faces and photo_history (sqlite_schema.cpp). Internal to repositories/sqlite/.
#include "core/records.h"
#include "repositories/sqlite/sqlite_statement.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Column lists of read_person() and read_face(), for queries assembled from literals only.
#define FACEID_SQLITE_PERSON_COLUMNS                                                           \
    "p.id, p.name, p.external_id, p.metadata, p.primary_face_id, p.created_at, p.updated_at, " \
    "(SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id), p.last_matched_at"
#define FACEID_SQLITE_FACE_COLUMNS                                                                   \
    "id, label, person_id, embedding, quality, quality_score, box, landmarks, photo_key, crop_key, " \
    "created_at"

namespace faceid::sqlite_rows {

// float32 little-endian BLOBs.
std::string floats_to_blob(const float* values, size_t count);
std::span<const std::byte> as_bytes(const std::string& blob);

// JSON columns.
std::string json_text(const nlohmann::json& value);
nlohmann::json parse_json_column(std::string_view text);

// A row selected with FACEID_SQLITE_PERSON_COLUMNS.
PersonRecord read_person(const SqliteStatement& row);
// A row selected with FACEID_SQLITE_FACE_COLUMNS; fills face in place, so that a scan over many rows
// reuses its buffers.
void read_face(const SqliteStatement& row, FaceRecord& face);
std::vector<FaceRecord> read_faces(SqliteStatement& statement);

// Statements used inside write transactions.
bool person_exists(SqliteConnection& connection, const std::string& id);
// Throws Error(kConflict) when another person has this external_id.
void check_external_id_free(SqliteConnection& connection, const std::optional<std::string>& external_id,
                            const std::string& person_id);
// Inserts the face and notes its photo in photo_history.
void insert_face(SqliteConnection& connection, const FaceRecord& face, const std::string& person_id);
// After faces of a person were removed: deletes the person if none is left, otherwise makes sure the
// primary is one of its faces (the best by quality_score if the old primary is gone).
void settle_primary(SqliteConnection& connection, const std::string& person_id);

}  // namespace faceid::sqlite_rows
