#pragma once
// The contract of FaceChangeFeed (repositories/face_change_feed.h; tests in face_change_feed_contract.cpp):
// what one process reads of the faces another process writes to a shared backend. A shared backend joins
// by providing two handles on one fresh store (a writer and a follower, as two replicas) and instantiating
// the suite (clickhouse_person_repository_contract.cpp):
//
//   INSTANTIATE_TEST_SUITE_P(ClickHouse, FaceChangeFeedContract,
//                            ::testing::Values(FaceChangeFeedFactory{"clickhouse", make_feed_harness}),
//                            FaceChangeFeedContract::name_of);
#include "repositories/face_change_feed.h"
#include "repositories/person_repository.h"

#include "support/contract_fixture.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

namespace faceid::testing {

class FaceChangeFeedHarness {
  public:
    virtual ~FaceChangeFeedHarness() = default;
    virtual PersonRepository& writer() = 0;
    // Another handle on the same store, with its own connections and clock.
    virtual FaceChangeFeed& follower() = 0;
};

using FaceChangeFeedFactory = HarnessFactory<FaceChangeFeedHarness>;

class FaceChangeFeedContract : public ContractFixture<FaceChangeFeedHarness> {};

}  // namespace faceid::testing
