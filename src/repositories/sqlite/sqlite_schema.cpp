#include "repositories/sqlite/sqlite_schema.h"

#include "core/clock.h"
#include "core/error.h"
#include "repositories/sqlite/sqlite_connection.h"
#include "repositories/sqlite/sqlite_statement.h"
#include "repositories/sqlite/sqlite_transaction.h"

#include <array>
#include <string>

namespace faceid {

namespace {

// Embeddings, boxes and landmarks are float32 little-endian BLOBs: compact, bit-exact, fast to read
// back when the vector index is rebuilt. JSON columns (metadata, quality) are text.
// persons.primary_face_id has no foreign key (faces already reference persons, and a cycle would make
// inserts order-dependent); SqlitePersonRepository keeps it pointing at one of the person's faces.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE persons (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    external_id     TEXT UNIQUE,
    metadata        TEXT NOT NULL DEFAULT '{}',
    primary_face_id TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX persons_by_creation ON persons (created_at, id);

CREATE TABLE faces (
    id            TEXT PRIMARY KEY NOT NULL,
    label         INTEGER NOT NULL UNIQUE,
    person_id     TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    embedding     BLOB NOT NULL,
    quality       TEXT NOT NULL DEFAULT '{}',
    quality_score REAL NOT NULL DEFAULT 0,
    box           BLOB NOT NULL,
    landmarks     BLOB NOT NULL,
    photo_key     TEXT NOT NULL,
    crop_key      TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX faces_by_person ON faces (person_id, quality_score);
CREATE INDEX faces_by_photo_key ON faces (photo_key);
CREATE INDEX faces_by_crop_key ON faces (crop_key);
)sql";

// API keys (only salted hashes of their secrets) and the audit log (ids only, never photos or
// embeddings). audit_log.seq is the rowid alias, so entries page in insertion order.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    salt        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    key_id      TEXT NOT NULL,
    key_name    TEXT NOT NULL,
    role        TEXT NOT NULL,
    action      TEXT NOT NULL,
    status      INTEGER NOT NULL,
    subject_ids TEXT NOT NULL DEFAULT '[]',
    result_ids  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_by_action ON audit_log (action, seq);
CREATE INDEX audit_by_key ON audit_log (key_id, seq);
)sql";

// Version 3 (bulk import, retention): when a search last matched a person, an index for finding
// templates by age, and which photos each person was ever registered with (kept when a template is
// dropped or removed, so that a re-run of an import does not bring it back).
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE persons ADD COLUMN last_matched_at INTEGER;
CREATE INDEX faces_by_creation ON faces (created_at);
CREATE TABLE photo_history (
    photo_key TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    PRIMARY KEY (photo_key, person_id)
) WITHOUT ROWID;
CREATE INDEX photo_history_by_person ON photo_history (person_id);
INSERT OR IGNORE INTO photo_history (photo_key, person_id) SELECT photo_key, person_id FROM faces;
)sql";

// Version 4 (corrections by hand, issue 13): pinned primary photos (a pin counts only while its face is
// still the person's primary, so removing the face ends it without touching this table) and pairs of
// persons the duplicates review decided to keep apart (the smaller id first).
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE primary_pins (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    face_id   TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE kept_apart (
    person_a   TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    person_b   TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (person_a, person_b)
) WITHOUT ROWID;
CREATE INDEX kept_apart_by_b ON kept_apart (person_b);
)sql";

constexpr std::array kMigrations = {
    SqliteMigration{1, kSchemaV1},
    SqliteMigration{2, kSchemaV2},
    SqliteMigration{3, kSchemaV3},
    SqliteMigration{4, kSchemaV4},
};

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT "
    "NULL)";

}  // namespace

std::span<const SqliteMigration> sqlite_schema_migrations() {
    return kMigrations;
}

int sqlite_schema_version(SqliteConnection& connection) {
    SqliteStatement exists(connection,
                           "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
    if (!exists.step()) return 0;
    SqliteStatement max(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    max.step();
    return int(max.column_int64(0));
}

int apply_sqlite_migrations(SqliteConnection& connection, std::span<const SqliteMigration> migrations) {
    SqliteTransaction transaction(connection, SqliteTransaction::Kind::kWrite);
    connection.exec(kCreateVersionTable);
    int version = sqlite_schema_version(connection);
    int latest = migrations.empty() ? 0 : migrations.back().version;
    if (version > latest)
        throw Error(ErrorCode::kStorageError, "the database has schema version " + std::to_string(version) +
                                                  ", newer than this program knows (" +
                                                  std::to_string(latest) + "); upgrade the program");
    for (const SqliteMigration& migration : migrations) {
        if (migration.version <= version) continue;
        if (migration.version != version + 1)
            throw Error(ErrorCode::kInternal, "schema migrations must be numbered without gaps");
        connection.exec(migration.sql);
        SqliteStatement record(connection,
                               "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)");
        record.bind(1, int64_t(migration.version)).bind(2, now_ms()).run();
        version = migration.version;
    }
    transaction.commit();
    return version;
}

}  // namespace faceid
