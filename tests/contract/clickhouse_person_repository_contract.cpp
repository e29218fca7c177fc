// ClickHousePersonRepository joins the person-job contracts and the change-feed contract, each test in a new
// database on the test server (scripts/clickhouse-test-server.sh; skipped loudly when none runs).
#include "contract/face_change_feed_contract.h"
#include "contract/person_repository_contract.h"
#include "support/clickhouse_test_database.h"

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

FACEID_INSTANTIATE_PERSON_JOB_CONTRACTS(
    ClickHouse,
    (PersonStoresFactory{"clickhouse", clickhouse_harness<ClickHouseHarness, PersonStoresHarness>}));

// Two handles on one database: two replicas.
class ClickHouseFeedHarness : public FaceChangeFeedHarness {
  public:
    explicit ClickHouseFeedHarness(const std::string& url)
        : database_(url), writer_(database_.settings()), follower_(database_.settings()) {}
    PersonRepository& writer() override { return writer_; }
    FaceChangeFeed& follower() override { return follower_; }

  private:
    ClickHouseTestDatabase database_;
    ClickHousePersonRepository writer_;
    ClickHousePersonRepository follower_;
};

INSTANTIATE_TEST_SUITE_P(ClickHouse, FaceChangeFeedContract,
                         ::testing::Values(FaceChangeFeedFactory{
                             "clickhouse", clickhouse_harness<ClickHouseFeedHarness, FaceChangeFeedHarness>}),
                         FaceChangeFeedContract::name_of);

}  // namespace
}  // namespace faceid::testing
