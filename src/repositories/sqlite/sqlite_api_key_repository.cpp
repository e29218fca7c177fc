#include "repositories/sqlite/sqlite_api_key_repository.h"

#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_statement.h"

namespace faceid {
namespace {

constexpr const char* kSelectById =
    "SELECT id, name, role, salt, hash, created_at, revoked_at FROM api_keys WHERE id = ?1";
constexpr const char* kSelectAll =
    "SELECT id, name, role, salt, hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id";

ApiKeyRecord read_key(const SqliteStatement& row) {
    ApiKeyRecord key;
    key.id = row.column_text(0);
    key.name = row.column_text(1);
    key.role = row.column_text(2);
    key.salt_hex = row.column_text(3);
    key.hash_hex = row.column_text(4);
    key.created_at_ms = row.column_int64(5);
    if (!row.is_null(6)) key.revoked_at_ms = row.column_int64(6);
    return key;
}

void insert_key(SqliteConnection& connection, const ApiKeyRecord& key) {
    SqliteStatement insert(connection,
                           "INSERT INTO api_keys (id, name, role, salt, hash, created_at, revoked_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)");
    insert.bind(1, key.id)
        .bind(2, key.name)
        .bind(3, key.role)
        .bind(4, key.salt_hex)
        .bind(5, key.hash_hex)
        .bind(6, key.created_at_ms)
        .run();
}

}  // namespace

SqliteApiKeyRepository::SqliteApiKeyRepository(std::shared_ptr<SqliteDatabase> database)
    : database_(std::move(database)) {}

void SqliteApiKeyRepository::create_key(const ApiKeyRecord& key) {
    database_->write([&](SqliteConnection& connection) { insert_key(connection, key); });
}

bool SqliteApiKeyRepository::create_first_key(const ApiKeyRecord& key) {
    return database_->write([&](SqliteConnection& connection) {
        SqliteStatement count(connection, "SELECT COUNT(*) FROM api_keys");
        count.step();
        if (count.column_int64(0) > 0) return false;
        insert_key(connection, key);
        return true;
    });
}

std::optional<ApiKeyRecord> SqliteApiKeyRepository::get_key(const std::string& id) {
    return database_->read([&](SqliteConnection& connection) -> std::optional<ApiKeyRecord> {
        SqliteStatement select(connection, kSelectById);
        select.bind(1, id);
        if (!select.step()) return std::nullopt;
        return read_key(select);
    });
}

std::vector<ApiKeyRecord> SqliteApiKeyRepository::list_keys() {
    return database_->read([&](SqliteConnection& connection) {
        std::vector<ApiKeyRecord> keys;
        SqliteStatement select(connection, kSelectAll);
        while (select.step()) keys.push_back(read_key(select));
        return keys;
    });
}

bool SqliteApiKeyRepository::revoke_key(const std::string& id, int64_t at_ms) {
    return database_->write([&](SqliteConnection& connection) {
        SqliteStatement update(connection,
                               "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
        update.bind(1, id).bind(2, at_ms).run();
        return connection.changes() > 0;
    });
}

int64_t SqliteApiKeyRepository::count_keys() {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement count(connection, "SELECT COUNT(*) FROM api_keys");
        count.step();
        return count.column_int64(0);
    });
}

}  // namespace faceid
