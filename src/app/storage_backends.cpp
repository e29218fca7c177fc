#include "app/storage_backends.h"

#include "core/error.h"
#include "repositories/clickhouse/clickhouse_backend.h"
#include "repositories/sqlite/sqlite_backend.h"

namespace faceid::app {
namespace {

ClickHouseSettings clickhouse_settings(const AppConfig& config) {
    ClickHouseSettings settings;
    settings.url = config.clickhouse_url;
    settings.user = config.clickhouse_user;
    settings.password = config.clickhouse_password;
    settings.database = config.clickhouse_database;
    return settings;
}

}  // namespace

const std::vector<StorageBackendRow>& storage_backends() {
    static const std::vector<StorageBackendRow> table = {
        {"sqlite", "one SQLite file in data_dir (default)",
         [](const AppConfig& config) { return std::make_unique<SqliteBackend>(config.data_dir); }},
        {"clickhouse", "a ClickHouse server shared by replicas (docs/scaling-out.md)",
         [](const AppConfig& config) {
             return std::make_unique<ClickHouseBackend>(clickhouse_settings(config),
                                                        std::chrono::minutes(config.compact_minutes));
         }},
    };
    return table;
}

std::unique_ptr<StorageBackend> open_storage_backend(const AppConfig& config) {
    for (const auto& row : storage_backends())
        if (row.name == config.storage) return row.open(config);
    // The settings table refuses other names at load; reaching this is a programming error.
    throw Error(ErrorCode::kInternal, "no storage backend named '" + config.storage + "'");
}

}  // namespace faceid::app
