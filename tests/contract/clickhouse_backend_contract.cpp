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

std::unique_ptr<StorageBackendHarness> make_clickhouse_harness() {
    auto url = clickhouse_test_url();
    if (!url) {
        [] { GTEST_SKIP() << kNoClickHouseMessage; }();
        return nullptr;
    }
    return std::make_unique<ClickHouseBackendHarness>(*url);
}

INSTANTIATE_TEST_SUITE_P(ClickHouse, StorageBackendContract,
                         ::testing::Values(StorageBackendFactory{"clickhouse", make_clickhouse_harness}),
                         StorageBackendContract::name_of);

}  // namespace
}  // namespace faceid::testing
