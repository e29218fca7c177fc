// ClickHousePersonRepository joins the PersonRepository contract, each test in a new database on the test
// server (scripts/clickhouse-test-server.sh; skipped loudly when none runs).
#include "contract/clickhouse_test_database.h"
#include "contract/person_repository_contract.h"

namespace faceid::testing {
namespace {

class ClickHouseHarness : public PersonRepositoryHarness {
  public:
    explicit ClickHouseHarness(const std::string& url) : database_(url), repository_(database_.settings()) {}
    PersonRepository& repository() override { return repository_; }

  private:
    ClickHouseTestDatabase database_;  // dropped after the repository is gone
    ClickHousePersonRepository repository_;
};

std::unique_ptr<PersonRepositoryHarness> make_clickhouse_harness() {
    auto url = clickhouse_test_url();
    if (!url) {
        [] { GTEST_SKIP() << kNoClickHouseMessage; }();
        return nullptr;
    }
    return std::make_unique<ClickHouseHarness>(*url);
}

INSTANTIATE_TEST_SUITE_P(ClickHouse, PersonRepositoryContract,
                         ::testing::Values(PersonRepositoryFactory{"clickhouse", make_clickhouse_harness}),
                         PersonRepositoryContract::name_of);

}  // namespace
}  // namespace faceid::testing
