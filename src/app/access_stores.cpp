#include "app/access_stores.h"

#include "core/error.h"
#include "repositories/clickhouse/clickhouse_api_key_repository.h"
#include "repositories/clickhouse/clickhouse_audit_log.h"
#include "repositories/sqlite/sqlite_api_key_repository.h"
#include "repositories/sqlite/sqlite_audit_log.h"

#include <filesystem>

namespace faceid::app {

ClickHouseSettings clickhouse_settings(const AppConfig& config) {
    ClickHouseSettings settings;
    settings.url = config.clickhouse_url;
    settings.user = config.clickhouse_user;
    settings.password = config.clickhouse_password;
    settings.database = config.clickhouse_database;
    return settings;
}

AccessStores::AccessStores(const AppConfig& config, std::shared_ptr<SqliteDatabase> database) {
    if (config.storage == "clickhouse") {
        const ClickHouseSettings settings = clickhouse_settings(config);
        keys_ = std::make_unique<ClickHouseApiKeyRepository>(settings);
        audit_ = std::make_unique<ClickHouseAuditLog>(settings);
        description_ = "clickhouse:" + settings.url + "/" + settings.database;
    } else if (config.storage == "sqlite") {
        const std::filesystem::path file = std::filesystem::path(config.data_dir) / "faceid.db";
        if (!database) {
            std::filesystem::create_directories(config.data_dir);
            database = std::make_shared<SqliteDatabase>(file);
        }
        database_ = std::move(database);
        keys_ = std::make_unique<SqliteApiKeyRepository>(database_);
        audit_ = std::make_unique<SqliteAuditLog>(database_);
        description_ = "sqlite:" + file.string();
    } else {
        throw Error(ErrorCode::kInvalidField,
                    "storage must be sqlite or clickhouse, not '" + config.storage + "'",
                    {{"field", "storage"}});
    }
}

}  // namespace faceid::app
