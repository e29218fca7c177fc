// The sqlite row of app/storage_backends.cpp joins the storage backend contract, on a new data folder.
#include "contract/storage_backend_contract.h"
#include "support/test_support.h"

#include <filesystem>

namespace faceid::testing {
namespace {

class SqliteBackendHarness : public StorageBackendHarness {
  public:
    SqliteBackendHarness() : dir_(make_temp_dir("faceid-sqlite-backend")) {}
    ~SqliteBackendHarness() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    app::AppConfig config() const override {
        app::AppConfig config;
        config.storage = "sqlite";
        config.data_dir = (dir_ / "data").string();
        return config;
    }

  private:
    std::filesystem::path dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageBackendContract,
                         ::testing::Values(StorageBackendFactory{
                             "sqlite", [] { return std::make_unique<SqliteBackendHarness>(); }}),
                         StorageBackendContract::name_of);

}  // namespace
}  // namespace faceid::testing
