// SqlitePersonRepository joins the PersonRepository contract, each test on a new database file.
#include "contract/person_repository_contract.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_repository.h"
#include "support/test_support.h"

#include <filesystem>

namespace faceid::testing {
namespace {

class SqliteHarness : public PersonRepositoryHarness {
  public:
    SqliteHarness()
        : dir_(make_temp_dir("faceid-sqlite-contract")),
          database_(std::make_shared<SqliteDatabase>(dir_ / "faceid.db")),
          repository_(database_) {}
    ~SqliteHarness() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    PersonRepository& repository() override { return repository_; }

  private:
    std::filesystem::path dir_;
    std::shared_ptr<SqliteDatabase> database_;
    SqlitePersonRepository repository_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, PersonRepositoryContract,
                         ::testing::Values(PersonRepositoryFactory{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         PersonRepositoryContract::name_of);

}  // namespace
}  // namespace faceid::testing
