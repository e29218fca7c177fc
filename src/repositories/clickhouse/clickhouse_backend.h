#pragma once
// The scale-out backend: persons, faces, API keys and the audit log in a ClickHouse database that every
// replica shares (docs/scaling-out.md). It reports other replicas' writes through the change feed, keeps
// no index snapshot, and compacts its tables in the background.
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/clickhouse/clickhouse_person_repository.h"
#include "repositories/storage_backend.h"

#include <chrono>
#include <memory>

namespace faceid {

class ClickHouseBackend : public StorageBackend {
  public:
    // compact_every: how often start_background_work() runs OPTIMIZE (zero: never). Connects lazily.
    ClickHouseBackend(ClickHouseSettings settings, std::chrono::minutes compact_every);
    ~ClickHouseBackend() override;

    PersonStores person_stores() override {
        auto& repository = person_repository();
        return {repository, repository, repository, repository};
    }
    ApiKeyRepository& keys() override;
    AuditLog& audit() override;
    FaceChangeFeed* change_feed() override { return &person_repository(); }
    void start_background_work() override;
    std::string description() const override;

  private:
    ClickHousePersonRepository& person_repository();

    ClickHouseSettings settings_;
    std::chrono::minutes compact_every_;
    std::unique_ptr<ClickHousePersonRepository> persons_;
    std::unique_ptr<ApiKeyRepository> keys_;
    std::unique_ptr<AuditLog> audit_;
};

}  // namespace faceid
