#include "repositories/clickhouse/clickhouse_api_key_repository.h"

#include "core/clock.h"
#include "core/error.h"
#include "repositories/clickhouse/clickhouse_schema.h"
#include "repositories/clickhouse/clickhouse_sql.h"
#include "repositories/clickhouse/row_binary.h"

#include <unordered_set>

namespace faceid {
namespace {

constexpr const char* kKeyTable =
    "api_keys (id, name, role, salt_hex, hash_hex, created_at, revoked_at, version, deleted)";
// Not made by a migration: creating it is the claim (see the header).
constexpr const char* kClaimTable = "first_admin_key_claim";

}  // namespace

ClickHouseApiKeyRepository::ClickHouseApiKeyRepository(ClickHouseSettings settings)
    : client_(std::move(settings)) {
    migrate_clickhouse_schema(client_);
    // Start past every stored version, so that a revocation supersedes the key even if this process's
    // wall clock is behind the one that created it.
    const std::string text = client_.query("SELECT max(version) FROM api_keys FORMAT TabSeparated");
    clock_.observe(std::stoull(text.empty() ? "0" : text));
}

std::vector<ClickHouseApiKeyRepository::StoredKey> ClickHouseApiKeyRepository::select_keys(
    const std::string& id_filter) {
    // id never changes, so the filter may narrow the rows before the latest version is chosen.
    const std::string where = id_filter.empty() ? "" : " WHERE " + id_filter;
    const std::string body = client_.query(
        "SELECT id, name, role, salt_hex, hash_hex, created_at, revoked_at, version FROM api_keys "
        "WHERE (id, version) IN (SELECT id, max(version) FROM api_keys" +
        where + " GROUP BY id) AND deleted = 0" + (id_filter.empty() ? "" : " AND " + id_filter) +
        " ORDER BY created_at, id FORMAT RowBinary");
    RowBinaryReader reader(body);
    std::vector<StoredKey> keys;
    std::unordered_set<std::string> seen;
    while (!reader.at_end()) {
        StoredKey stored;
        ApiKeyRecord& key = stored.record;
        key.id = reader.string();
        key.name = reader.string();
        key.role = reader.string();
        key.salt_hex = reader.string();
        key.hash_hex = reader.string();
        key.created_at_ms = reader.i64();
        key.revoked_at_ms = reader.nullable_i64();
        stored.version = reader.u64();
        clock_.observe(stored.version);
        // Two replicas revoking one key could write one version twice: keep one row per key.
        if (seen.insert(key.id).second) keys.push_back(std::move(stored));
    }
    return keys;
}

void ClickHouseApiKeyRepository::write_key(const ApiKeyRecord& key, uint64_t version) {
    RowBinaryWriter row;
    row.string(key.id)
        .string(key.name)
        .string(key.role)
        .string(key.salt_hex)
        .string(key.hash_hex)
        .i64(key.created_at_ms)
        .nullable_i64(key.revoked_at_ms)
        .u64(version)
        .u8(0);
    client_.insert(kKeyTable, row.bytes());
}

void ClickHouseApiKeyRepository::create_key(const ApiKeyRecord& key) {
    std::lock_guard lock(write_mutex_);
    if (!select_keys("id = " + quote_string(key.id)).empty())
        throw Error(ErrorCode::kConflict, "an API key with this id exists", {{"key_id", key.id}});
    ApiKeyRecord stored = key;
    stored.revoked_at_ms.reset();
    write_key(stored, clock_.next());
}

bool ClickHouseApiKeyRepository::create_first_key(const ApiKeyRecord& key) {
    std::lock_guard lock(write_mutex_);
    if (count_keys() > 0) return false;
    try {
        client_.query(std::string("CREATE TABLE ") + kClaimTable +
                      " (key_id String, claimed_at Int64) ENGINE = TinyLog");
    } catch (const Error& error) {
        // Lost the race, or a claim left by an earlier start; anything else (server gone) is an error.
        const std::string exists =
            client_.query(std::string("EXISTS TABLE ") + kClaimTable + " FORMAT TabSeparated");
        if (error.code() == ErrorCode::kStorageError && exists.starts_with("1")) return false;
        throw;
    }
    // Which key won, for whoever investigates later.
    RowBinaryWriter claim;
    claim.string(key.id).i64(now_ms());
    client_.insert(std::string(kClaimTable) + " (key_id, claimed_at)", claim.bytes());
    ApiKeyRecord stored = key;
    stored.revoked_at_ms.reset();
    write_key(stored, clock_.next());
    return true;
}

std::optional<ApiKeyRecord> ClickHouseApiKeyRepository::get_key(const std::string& id) {
    auto keys = select_keys("id = " + quote_string(id));
    if (keys.empty()) return std::nullopt;
    return std::move(keys.front().record);
}

std::vector<ApiKeyRecord> ClickHouseApiKeyRepository::list_keys() {
    std::vector<ApiKeyRecord> out;
    for (auto& stored : select_keys("")) out.push_back(std::move(stored.record));
    return out;
}

bool ClickHouseApiKeyRepository::revoke_key(const std::string& id, int64_t at_ms) {
    std::lock_guard lock(write_mutex_);
    auto keys = select_keys("id = " + quote_string(id));
    if (keys.empty() || !keys.front().record.active()) return false;
    StoredKey& stored = keys.front();
    stored.record.revoked_at_ms = at_ms;
    write_key(stored.record, clock_.next(stored.version + 1));
    return true;
}

int64_t ClickHouseApiKeyRepository::count_keys() {
    const std::string text = client_.query("SELECT uniqExact(id) FROM api_keys FORMAT TabSeparated");
    return std::stoll(text.empty() ? "0" : text);
}

}  // namespace faceid
