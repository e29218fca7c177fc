#include "repositories/clickhouse/clickhouse_backend.h"

#include "repositories/clickhouse/clickhouse_api_key_repository.h"
#include "repositories/clickhouse/clickhouse_audit_log.h"

namespace faceid {

ClickHouseBackend::ClickHouseBackend(ClickHouseSettings settings, std::chrono::minutes compact_every)
    : settings_(std::move(settings)), compact_every_(compact_every) {}

ClickHouseBackend::~ClickHouseBackend() = default;

ClickHousePersonRepository& ClickHouseBackend::person_repository() {
    if (!persons_) persons_ = std::make_unique<ClickHousePersonRepository>(settings_);
    return *persons_;
}

ApiKeyRepository& ClickHouseBackend::keys() {
    if (!keys_) keys_ = std::make_unique<ClickHouseApiKeyRepository>(settings_);
    return *keys_;
}

AuditLog& ClickHouseBackend::audit() {
    if (!audit_) audit_ = std::make_unique<ClickHouseAuditLog>(settings_);
    return *audit_;
}

void ClickHouseBackend::start_background_work() {
    if (compact_every_.count() > 0) person_repository().start_background_compaction(compact_every_);
}

std::string ClickHouseBackend::description() const {
    return "clickhouse:" + settings_.url + "/" + settings_.database;
}

}  // namespace faceid
