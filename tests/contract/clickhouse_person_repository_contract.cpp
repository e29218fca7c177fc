// ClickHousePersonRepository joins the person-job contracts, each test in a new database on the test
// server (scripts/clickhouse-test-server.sh; skipped loudly when none runs).
#include "contract/clickhouse_test_database.h"
#include "contract/person_repository_contract.h"

namespace faceid::testing {
namespace {

class ClickHouseHarness : public PersonStoresHarness {
  public:
    explicit ClickHouseHarness(const std::string& url) : database_(url), repository_(database_.settings()) {}
    PersonStores stores() override { return {repository_, repository_, repository_, repository_}; }

  private:
    ClickHouseTestDatabase database_;  // dropped after the repository is gone
    ClickHousePersonRepository repository_;
};

std::unique_ptr<PersonStoresHarness> make_clickhouse_harness() {
    auto url = clickhouse_test_url();
    if (!url) {
        [] { GTEST_SKIP() << kNoClickHouseMessage; }();
        return nullptr;
    }
    return std::make_unique<ClickHouseHarness>(*url);
}

FACEID_INSTANTIATE_PERSON_JOB_CONTRACTS(ClickHouse,
                                        (PersonStoresFactory{"clickhouse", make_clickhouse_harness}));

}  // namespace
}  // namespace faceid::testing
