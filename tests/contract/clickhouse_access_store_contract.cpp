// The ClickHouse key store and audit log join the access-store contracts, each test in a new database on
// the test server (scripts/clickhouse-test-server.sh; skipped loudly when none runs). Another handle has
// its own clock, mutex and writer tag, as another replica has. What only a shared store promises
// (sharing between replicas, causal order of the audit log) is in tests/storage/.
#include "contract/access_store_contract.h"
#include "repositories/clickhouse/clickhouse_api_key_repository.h"
#include "repositories/clickhouse/clickhouse_audit_log.h"
#include "support/clickhouse_test_database.h"

namespace faceid::testing {
namespace {

class ClickHouseHarness : public AccessStoresHarness {
  public:
    explicit ClickHouseHarness(const std::string& url)
        : database_(url), keys_(database_.settings()), audit_(database_.settings()) {}
    ApiKeyRepository& keys() override { return keys_; }
    AuditLog& audit() override { return audit_; }
    std::unique_ptr<ApiKeyRepository> another_keys_handle() override {
        return std::make_unique<ClickHouseApiKeyRepository>(database_.settings());
    }

  private:
    ClickHouseTestDatabase database_;  // dropped after the stores are gone
    ClickHouseApiKeyRepository keys_;
    ClickHouseAuditLog audit_;
};

FACEID_INSTANTIATE_ACCESS_STORE_CONTRACTS(
    ClickHouse,
    (AccessStoresFactory{"clickhouse", clickhouse_harness<ClickHouseHarness, AccessStoresHarness>}));

}  // namespace
}  // namespace faceid::testing
