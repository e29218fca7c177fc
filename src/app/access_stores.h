#pragma once
// Where API keys and the audit log live, chosen by the storage setting like the gallery's storage:
// - storage "sqlite": the local <data>/faceid.db (shared with the gallery when it is given);
// - storage "clickhouse": the ClickHouse server every replica shares, so that a key created through one
//   replica (or `faceid keys create` anywhere) works on all of them, a revocation reaches all of them on
//   their next request, and GET /audit on any replica lists what every replica recorded.
#include "app/config.h"
#include "repositories/api_key_repository.h"
#include "repositories/audit_log.h"
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/sqlite/sqlite_database.h"

#include <memory>
#include <string>

namespace faceid::app {

// The ClickHouse connection the configuration names (storage.url, .user, .password, .database).
ClickHouseSettings clickhouse_settings(const AppConfig& config);

class AccessStores {
  public:
    // database: the gallery's open SQLite file, if any (storage "sqlite"); opened from config.data_dir
    // when null. Throws Error(kInvalidField) for an unknown storage, Error(kUnavailable) when ClickHouse
    // cannot be reached.
    explicit AccessStores(const AppConfig& config, std::shared_ptr<SqliteDatabase> database = nullptr);

    ApiKeyRepository& keys() { return *keys_; }
    AuditLog& audit() { return *audit_; }
    // "sqlite:<file>" or "clickhouse:<url>/<database>", for messages.
    const std::string& description() const { return description_; }

  private:
    std::shared_ptr<SqliteDatabase> database_;  // storage "sqlite" only
    std::unique_ptr<ApiKeyRepository> keys_;
    std::unique_ptr<AuditLog> audit_;
    std::string description_;
};

}  // namespace faceid::app
