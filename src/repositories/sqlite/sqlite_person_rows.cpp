#include "repositories/sqlite/sqlite_person_rows.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "repositories/record_checks.h"

#include <array>
#include <bit>
#include <cstring>

namespace faceid::sqlite_rows {

namespace {

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

template <size_t N>
void read_float_array(const SqliteStatement& row, int column, std::array<float, N>& out) {
    auto bytes = row.column_blob(column);
    if (bytes.size() != N * sizeof(float))
        throw Error(ErrorCode::kStorageError, "corrupt face row: a box or landmarks blob has the wrong size");
    blob_to_floats(bytes, out.data(), N);
}

}  // namespace

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

std::span<const std::byte> as_bytes(const std::string& blob) {
    return {reinterpret_cast<const std::byte*>(blob.data()), blob.size()};
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

}  // namespace faceid::sqlite_rows
