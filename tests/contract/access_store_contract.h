#pragma once
// The contracts of ApiKeyRepository and AuditLog, as functions any implementation's test can call on a
// fresh, empty store (SQLite now; ClickHouse later).
#include "repositories/api_key_repository.h"
#include "repositories/audit_log.h"

namespace faceid::testing {

void check_api_key_repository_contract(ApiKeyRepository& keys);
void check_audit_log_contract(AuditLog& log);

}  // namespace faceid::testing
