#include "repositories/clickhouse/clickhouse_schema.h"

#include "core/clock.h"
#include "core/error.h"
#include "repositories/clickhouse/clickhouse_client.h"

#include <string>
#include <vector>

namespace faceid {
namespace {

// ClickHouse 18.16 has no TTL and its ALTER UPDATE/DELETE are asynchronous, so every table that changes
// is a ReplacingMergeTree on a `version` column: a change is a new row with a larger version, a delete a
// row with deleted = 1. Reads take the latest row per key (see clickhouse_person_repository.cpp);
// background merges (and OPTIMIZE, see ClickHousePersonRepository::compact) fold old versions away.
//
// faces: at most two rows per label, the face and, once it is deleted, its tombstone (a copy with an
// empty embedding). Sorted by label: a range of labels is a contiguous read, which the start-up load
// uses to fetch all faces in parallel chunks. person_id, photo_key, crop_key and created_at never change
// for a label, so filters on them are safe before picking the latest version.
// api_keys and audit mirror ApiKeyRecord and AuditEntry (repositories/api_key_repository.h, audit_log.h)
// and are used by ClickHouseApiKeyRepository (a revocation is a new version of the key's row) and
// ClickHouseAuditLog. audit is append-only, ordered by seq (VersionClock microseconds with a per-process
// writer tag in the low bits, see clickhouse_audit_log.h), partitioned by month so that retention can drop
// whole partitions (no TTL in 18.16). The first admin key is claimed by creating the table
// first_admin_key_claim, on purpose outside the migrations (clickhouse_api_key_repository.h).
struct Migration {
    int version;
    std::vector<const char*> statements;
};

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1,
         {R"sql(CREATE TABLE IF NOT EXISTS persons (
    id              String,
    name            String,
    external_id     Nullable(String),
    metadata        String,
    primary_face_id Nullable(String),
    created_at      Int64,
    updated_at      Int64,
    version         UInt64,
    deleted         UInt8
) ENGINE = ReplacingMergeTree(version) ORDER BY id)sql",
          R"sql(CREATE TABLE IF NOT EXISTS faces (
    label         UInt64,
    person_id     String,
    embedding     Array(Float32),
    quality       String,
    quality_score Float64,
    box           Array(Float32),
    landmarks     Array(Float32),
    photo_key     String,
    crop_key      String,
    created_at    Int64,
    version       UInt64,
    deleted       UInt8
) ENGINE = ReplacingMergeTree(version) ORDER BY label)sql",
          R"sql(CREATE TABLE IF NOT EXISTS photos (
    key          String,
    bytes        UInt64,
    content_type String,
    created_at   Int64,
    version      UInt64,
    deleted      UInt8
) ENGINE = ReplacingMergeTree(version) ORDER BY key)sql",
          R"sql(CREATE TABLE IF NOT EXISTS api_keys (
    id         String,
    name       String,
    role       String,
    salt_hex   String,
    hash_hex   String,
    created_at Int64,
    revoked_at Nullable(Int64),
    version    UInt64,
    deleted    UInt8
) ENGINE = ReplacingMergeTree(version) ORDER BY id)sql",
          R"sql(CREATE TABLE IF NOT EXISTS audit (
    seq         Int64,
    at          Int64,
    key_id      String,
    key_name    String,
    role        String,
    action      String,
    status      Int32,
    subject_ids String,
    result_ids  String,
    day         Date MATERIALIZED toDate(intDiv(at, 1000))
) ENGINE = MergeTree PARTITION BY toYYYYMM(day) ORDER BY seq)sql"}},
        // Bulk import and retention: when a search last matched a person (a row per match batch; reads take
        // the max, merges keep the latest), and which photos each person was ever registered with (kept
        // when a template goes, so that a re-run of an import does not bring it back; reads keep only
        // live persons, so a deleted person's rows are forgotten without a delete).
        {2,
         {R"sql(CREATE TABLE IF NOT EXISTS person_matches (
    person_id  String,
    matched_at Int64
) ENGINE = ReplacingMergeTree(matched_at) ORDER BY person_id)sql",
          R"sql(CREATE TABLE IF NOT EXISTS photo_history (
    photo_key String,
    person_id String
) ENGINE = ReplacingMergeTree ORDER BY (photo_key, person_id))sql",
          "INSERT INTO photo_history SELECT DISTINCT photo_key, person_id FROM faces WHERE deleted = 0"}},
        // Corrections by hand (issue 13): pinned primaries (the latest pin per person counts while its face
        // is still the primary) and pairs of persons kept apart by the duplicates review (smaller id first;
        // reads keep only pairs of live persons).
        {3,
         {R"sql(CREATE TABLE IF NOT EXISTS primary_pins (
    person_id String,
    face_id   String,
    version   UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY person_id)sql",
          R"sql(CREATE TABLE IF NOT EXISTS kept_apart (
    person_a   String,
    person_b   String,
    created_at Int64
) ENGINE = ReplacingMergeTree ORDER BY (person_a, person_b))sql"}},
    };
    return all;
}

int current_version(const ClickHouseClient& client) {
    const std::string text = client.query("SELECT max(version) FROM schema_version FORMAT TabSeparated");
    return std::stoi(text.empty() ? "0" : text);
}

}  // namespace

int migrate_clickhouse_schema(const ClickHouseClient& client) {
    client.query_without_database("CREATE DATABASE IF NOT EXISTS " + client.database());
    client.query(
        "CREATE TABLE IF NOT EXISTS schema_version (version UInt32, applied_at Int64) "
        "ENGINE = MergeTree ORDER BY version");
    int version = current_version(client);
    const int latest = migrations().back().version;
    if (version > latest)
        throw Error(ErrorCode::kStorageError, "the ClickHouse database has schema version " +
                                                  std::to_string(version) +
                                                  ", newer than this program knows (" +
                                                  std::to_string(latest) + "); upgrade the program");
    for (const Migration& migration : migrations()) {
        if (migration.version <= version) continue;
        for (const char* statement : migration.statements) client.query(statement);
        client.query("INSERT INTO schema_version VALUES (" + std::to_string(migration.version) + ", " +
                     std::to_string(now_ms()) + ")");
        version = migration.version;
    }
    return version;
}

}  // namespace faceid
