#pragma once
// The contract of a storage backend's bundle (repositories/storage_backend.h) as the app builds it from
// its row in app/storage_backends.cpp (tests are in storage_backend_contract.cpp). A backend joins by
// providing a harness that opens bundles on one fresh, empty storage through the registry, and
// instantiating the suite in its own .cpp (sqlite_backend_contract.cpp, clickhouse_backend_contract.cpp):
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StorageBackendContract,
//                            ::testing::Values(StorageBackendFactory{"sqlite", make_sqlite_harness}),
//                            StorageBackendContract::name_of);
//
// A backend that needs a server may GTEST_SKIP() from its factory when the server is absent.
#include "app/config.h"
#include "repositories/storage_backend.h"

#include "support/contract_fixture.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

namespace faceid::testing {

// Owns one fresh, empty storage (a temp folder, a test database) and the configuration that names it.
class StorageBackendHarness {
  public:
    virtual ~StorageBackendHarness() = default;
    // storage.backend and the backend's own settings point at the harness's storage.
    virtual app::AppConfig config() const = 0;
};

using StorageBackendFactory = HarnessFactory<StorageBackendHarness>;

class StorageBackendContract : public ContractFixture<StorageBackendHarness> {
  protected:
    // A new bundle on the harness's storage (as a new process would open it), through the registry.
    std::unique_ptr<StorageBackend> open();
};

}  // namespace faceid::testing
