// The clickhouse row of app/storage_backends.cpp joins the storage backend contract, each test in a new
// database on the test server (scripts/clickhouse-test-server.sh; skipped loudly when none runs).
#include "contract/storage_backend_contract.h"
#include "support/clickhouse_test_database.h"

namespace faceid::testing {
namespace {

class ClickHouseBackendHarness : public StorageBackendHarness {
  public:
    explicit ClickHouseBackendHarness(const std::string& url) : database_(url) {}
    app::AppConfig config() const override {
        app::AppConfig config;
        config.storage = "clickhouse";
        config.clickhouse_url = database_.settings().url;
        config.clickhouse_user = database_.settings().user;
        config.clickhouse_password = database_.settings().password;
        config.clickhouse_database = database_.settings().database;
        return config;
    }

  private:
    ClickHouseTestDatabase database_;
};

INSTANTIATE_TEST_SUITE_P(ClickHouse, StorageBackendContract,
                         ::testing::Values(StorageBackendFactory{
                             "clickhouse",
                             clickhouse_harness<ClickHouseBackendHarness, StorageBackendHarness>}),
                         StorageBackendContract::name_of);

}  // namespace
}  // namespace faceid::testing
