#include "repositories/sqlite/sqlite_backend.h"

#include "repositories/sqlite/sqlite_api_key_repository.h"
#include "repositories/sqlite/sqlite_audit_log.h"
#include "repositories/sqlite/sqlite_match_log.h"
#include "repositories/sqlite/sqlite_person_repository.h"
#include "repositories/sqlite/sqlite_photo_references.h"
#include "repositories/sqlite/sqlite_retention_queries.h"

namespace faceid {

SqliteBackend::SqliteBackend(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

SqliteBackend::~SqliteBackend() = default;

const std::shared_ptr<SqliteDatabase>& SqliteBackend::database() {
    if (!database_) {
        std::filesystem::create_directories(data_dir_);
        database_ = std::make_shared<SqliteDatabase>(file());
    }
    return database_;
}

PersonStores SqliteBackend::person_stores() {
    if (!persons_) {
        persons_ = std::make_unique<SqlitePersonRepository>(database());
        photo_references_ = std::make_unique<SqlitePhotoReferences>(database());
        retention_ = std::make_unique<SqliteRetentionQueries>(database());
        matches_ = std::make_unique<SqliteMatchLog>(database());
    }
    return {*persons_, *photo_references_, *retention_, *matches_};
}

ApiKeyRepository& SqliteBackend::keys() {
    if (!keys_) keys_ = std::make_unique<SqliteApiKeyRepository>(database());
    return *keys_;
}

AuditLog& SqliteBackend::audit() {
    if (!audit_) audit_ = std::make_unique<SqliteAuditLog>(database());
    return *audit_;
}

std::string SqliteBackend::description() const {
    return "sqlite:" + file().string();
}

}  // namespace faceid
