// The SQLite person stores join the person-job contracts, each test on a new database file.
#include "contract/person_repository_contract.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_match_log.h"
#include "repositories/sqlite/sqlite_person_repository.h"
#include "repositories/sqlite/sqlite_photo_references.h"
#include "repositories/sqlite/sqlite_retention_queries.h"
#include "support/test_support.h"

#include <filesystem>

namespace faceid::testing {
namespace {

class SqliteHarness : public PersonStoresHarness {
  public:
    SqliteHarness()
        : dir_(make_temp_dir("faceid-sqlite-contract")),
          database_(std::make_shared<SqliteDatabase>(dir_ / "faceid.db")),
          persons_(database_),
          references_(database_),
          retention_(database_),
          matches_(database_) {}
    ~SqliteHarness() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    PersonStores stores() override { return {persons_, references_, retention_, matches_}; }

  private:
    std::filesystem::path dir_;
    std::shared_ptr<SqliteDatabase> database_;
    SqlitePersonRepository persons_;
    SqlitePhotoReferences references_;
    SqliteRetentionQueries retention_;
    SqliteMatchLog matches_;
};

FACEID_INSTANTIATE_PERSON_JOB_CONTRACTS(Sqlite,
                                        (PersonStoresFactory{
                                            "sqlite", [] { return std::make_unique<SqliteHarness>(); }}));

}  // namespace
}  // namespace faceid::testing
