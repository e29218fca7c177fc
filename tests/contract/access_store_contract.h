#pragma once
// The contracts of ApiKeyRepository and AuditLog, as functions any implementation's test can call on a
// fresh, empty store (SQLite: access_store_contract.cpp; ClickHouse: clickhouse_access_store_contract.cpp).
#include "repositories/api_key_repository.h"
#include "repositories/audit_log.h"

#include <vector>

namespace faceid::testing {

void check_api_key_repository_contract(ApiKeyRepository& keys);
// create_first_key from several handles on one fresh store (several processes' views of a shared store,
// or one handle several times), all at once from as many threads: exactly one key is stored.
void check_first_key_contract(const std::vector<ApiKeyRepository*>& handles);
void check_audit_log_contract(AuditLog& log);

}  // namespace faceid::testing
