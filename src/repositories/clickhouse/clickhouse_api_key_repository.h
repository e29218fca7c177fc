#pragma once
// ApiKeyRepository on the ClickHouse server the replicas share (table api_keys, see clickhouse_schema.cpp),
// so that a key created through one replica works on all of them and a revocation reaches all of them at
// once (every request looks its key up afresh; nothing is cached).
//   - A key is a ReplacingMergeTree row; a revocation is a new version of it with revoked_at set. Reads
//     take the latest version per id.
//   - Writes of one process are serialised by a mutex, so "the id is free" and "the key is still active"
//     hold within a process. Ids are 64 random bits, so two replicas do not pick the same one; two
//     replicas revoking one key at the same instant both report success (the later revoked_at wins).
//   - The first admin key is claimed with CREATE TABLE first_admin_key_claim (no IF NOT EXISTS): ClickHouse
//     serialises DDL on one table name, so exactly one of several replicas starting together succeeds.
#include "repositories/api_key_repository.h"
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/clickhouse/version_clock.h"

#include <mutex>

namespace faceid {

class ClickHouseApiKeyRepository : public ApiKeyRepository {
  public:
    // Connects, creates or migrates the schema. Throws Error(kUnavailable) when the server is unreachable.
    explicit ClickHouseApiKeyRepository(ClickHouseSettings settings);

    void create_key(const ApiKeyRecord& key) override;
    // False without a claim when a key exists; otherwise claims the first key (see above) and stores it
    // if the claim succeeded. A process that dies between its claim and its key leaves no key and a
    // claim: `faceid keys create --role admin` then makes the first key (docs/scaling-out.md).
    bool create_first_key(const ApiKeyRecord& key) override;
    std::optional<ApiKeyRecord> get_key(const std::string& id) override;
    std::vector<ApiKeyRecord> list_keys() override;
    bool revoke_key(const std::string& id, int64_t at_ms) override;
    int64_t count_keys() override;

  private:
    struct StoredKey {
        ApiKeyRecord record;
        uint64_t version = 0;
    };
    // The latest version of every key matching the id filter (SQL built with quote_string only).
    std::vector<StoredKey> select_keys(const std::string& id_filter);
    void write_key(const ApiKeyRecord& key, uint64_t version);

    ClickHouseClient client_;
    VersionClock clock_;
    std::mutex write_mutex_;
};

}  // namespace faceid
