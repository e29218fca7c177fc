#pragma once
// ApiKeyRepository on the embedded SQLite database (table api_keys, see sqlite_schema.cpp). Thread-safe.
#include "repositories/api_key_repository.h"

#include <memory>

namespace faceid {

class SqliteDatabase;

class SqliteApiKeyRepository : public ApiKeyRepository {
  public:
    explicit SqliteApiKeyRepository(std::shared_ptr<SqliteDatabase> database);

    void create_key(const ApiKeyRecord& key) override;
    // The count and the insert in one write transaction (BEGIN IMMEDIATE: one writer per file).
    bool create_first_key(const ApiKeyRecord& key) override;
    std::optional<ApiKeyRecord> get_key(const std::string& id) override;
    std::vector<ApiKeyRecord> list_keys() override;
    bool revoke_key(const std::string& id, int64_t at_ms) override;
    int64_t count_keys() override;

  private:
    std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace faceid
