#pragma once
// The embedded backend: persons, faces, API keys and the audit log in one SQLite file, <data>/faceid.db
// (WAL, so faceid keys can work on it beside a running server), and the index snapshot beside it.
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/storage_backend.h"

#include <filesystem>
#include <memory>

namespace faceid {

class SqliteBackend : public StorageBackend {
  public:
    // Nothing is opened yet; the first store opened creates data_dir and the database file if needed.
    explicit SqliteBackend(std::filesystem::path data_dir);
    ~SqliteBackend() override;

    PersonStores person_stores() override;
    ApiKeyRepository& keys() override;
    AuditLog& audit() override;
    std::filesystem::path index_snapshot() const override { return data_dir_ / "index.snapshot"; }
    std::string description() const override;

  private:
    std::filesystem::path file() const { return data_dir_ / "faceid.db"; }
    const std::shared_ptr<SqliteDatabase>& database();

    std::filesystem::path data_dir_;
    std::shared_ptr<SqliteDatabase> database_;
    std::unique_ptr<PersonRepository> persons_;
    std::unique_ptr<PhotoReferences> photo_references_;
    std::unique_ptr<RetentionQueries> retention_;
    std::unique_ptr<MatchLog> matches_;
    std::unique_ptr<ApiKeyRepository> keys_;
    std::unique_ptr<AuditLog> audit_;
};

}  // namespace faceid
