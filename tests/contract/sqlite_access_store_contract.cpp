// The SQLite key store and audit log join the access-store contracts, each test on a new database file.
#include "contract/access_store_contract.h"
#include "repositories/sqlite/sqlite_api_key_repository.h"
#include "repositories/sqlite/sqlite_audit_log.h"
#include "repositories/sqlite/sqlite_database.h"
#include "support/test_support.h"

#include <filesystem>

namespace faceid::testing {
namespace {

class SqliteHarness : public AccessStoresHarness {
  public:
    SqliteHarness()
        : dir_(make_temp_dir("faceid-access-store")),
          database_(std::make_shared<SqliteDatabase>(dir_ / "faceid.db")),
          keys_(database_),
          audit_(database_) {}
    ~SqliteHarness() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    ApiKeyRepository& keys() override { return keys_; }
    AuditLog& audit() override { return audit_; }
    // Its own database object on the same file: its own connections, as another process has.
    std::unique_ptr<ApiKeyRepository> another_keys_handle() override {
        return std::make_unique<SqliteApiKeyRepository>(std::make_shared<SqliteDatabase>(dir_ / "faceid.db"));
    }

  private:
    std::filesystem::path dir_;
    std::shared_ptr<SqliteDatabase> database_;
    SqliteApiKeyRepository keys_;
    SqliteAuditLog audit_;
};

FACEID_INSTANTIATE_ACCESS_STORE_CONTRACTS(Sqlite,
                                          (AccessStoresFactory{
                                              "sqlite", [] { return std::make_unique<SqliteHarness>(); }}));

}  // namespace
}  // namespace faceid::testing
