#pragma once
// A fresh ClickHouse database on the test server for one test, dropped when the object goes away.
#include "core/ids.h"
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/clickhouse/clickhouse_person_repository.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace faceid::testing {

inline constexpr const char* kNoClickHouseMessage =
    "!!! SKIPPED: no ClickHouse test server (FACEID_TEST_CLICKHOUSE_URL is unset; scripts/run-tests.sh "
    "starts one with scripts/clickhouse-test-server.sh) !!!";

class ClickHouseTestDatabase {
  public:
    explicit ClickHouseTestDatabase(const std::string& url) {
        settings_.url = url;
        settings_.database = "faceid_test_" + random_hex(6);
    }
    ~ClickHouseTestDatabase() {
        try {
            ClickHouseClient(settings_).query_without_database("DROP DATABASE IF EXISTS " +
                                                               settings_.database);
        } catch (const std::exception& error) {
            ADD_FAILURE() << "could not drop " << settings_.database << ": " << error.what();
        }
    }
    ClickHouseTestDatabase(const ClickHouseTestDatabase&) = delete;
    ClickHouseTestDatabase& operator=(const ClickHouseTestDatabase&) = delete;

    const ClickHouseSettings& settings() const { return settings_; }

  private:
    ClickHouseSettings settings_;
};

// A contract factory's harness on a new test database (Harness(url)), or a loud skip and nullptr when no
// ClickHouse test server runs.
template <class Harness, class Base>
std::unique_ptr<Base> clickhouse_harness() {
    auto url = clickhouse_test_url();
    if (!url) {
        [] { GTEST_SKIP() << kNoClickHouseMessage; }();
        return nullptr;
    }
    return std::make_unique<Harness>(*url);
}

}  // namespace faceid::testing
