#pragma once
// The contracts of ApiKeyRepository and AuditLog (tests in access_store_contract.cpp), one TEST_P suite
// per interface over one fixture. A backend joins by providing a factory of fresh, empty access stores and
// instantiating both suites in its own .cpp (sqlite_access_store_contract.cpp,
// clickhouse_access_store_contract.cpp):
//
//   FACEID_INSTANTIATE_ACCESS_STORE_CONTRACTS(Sqlite, (AccessStoresFactory{"sqlite", make_harness}));
//
// A backend that needs a server may GTEST_SKIP() from its factory when the server is absent.
#include "repositories/api_key_repository.h"
#include "repositories/audit_log.h"

#include "support/contract_fixture.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

namespace faceid::testing {

// Owns one fresh, empty key store and audit log and whatever they need.
class AccessStoresHarness {
  public:
    virtual ~AccessStoresHarness() = default;
    virtual ApiKeyRepository& keys() = 0;
    virtual AuditLog& audit() = 0;
    // Another handle on the same key store, as another process opens it (its own connections).
    virtual std::unique_ptr<ApiKeyRepository> another_keys_handle() = 0;
};

using AccessStoresFactory = HarnessFactory<AccessStoresHarness>;

class AccessStoresFixture : public ContractFixture<AccessStoresHarness> {};

class ApiKeyRepositoryContract : public AccessStoresFixture {};
class AuditLogContract : public AccessStoresFixture {};

}  // namespace faceid::testing

// Instantiates both suites for one backend; factory is a parenthesised AccessStoresFactory.
#define FACEID_INSTANTIATE_ACCESS_STORE_CONTRACTS(prefix, factory)                        \
    INSTANTIATE_TEST_SUITE_P(prefix, ApiKeyRepositoryContract, ::testing::Values factory, \
                             AccessStoresFixture::name_of);                               \
    INSTANTIATE_TEST_SUITE_P(prefix, AuditLogContract, ::testing::Values factory,         \
                             AccessStoresFixture::name_of)
