#pragma once
// AuditLog on the ClickHouse server the replicas share (table audit, see clickhouse_schema.cpp): every
// replica appends to one log, and GET /audit on any replica lists all of it. Append-only: one INSERT per
// entry, nothing is ever updated.
//
// seq = VersionClock microseconds * 2048 + this process's writer tag (11 random bits chosen at start):
//   - strictly increasing per process, in the order of its appends;
//   - across replicas, ordered by wall-clock time up to the clocks' skew (keep them in step with NTP), and
//     causal: the clock is pushed past every seq this process has stored or listed, so an entry appended
//     after a replica saw another replica's entry sorts after it;
//   - unique across replicas unless two of them drew the same tag (1 in 2048 per pair) and append in the
//     same microsecond. Paging (seq < before_seq) relies on that.
// Entries appended while a client pages land above its cursor (a new listing from the top shows them)
// or, from a replica whose clock lags, below it (a later page shows them, out of wall-clock order).
#include "repositories/audit_log.h"
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/clickhouse/version_clock.h"

namespace faceid {

class ClickHouseAuditLog : public AuditLog {
  public:
    // Connects, creates or migrates the schema. Throws Error(kUnavailable) when the server is unreachable.
    explicit ClickHouseAuditLog(ClickHouseSettings settings);

    int64_t append(const AuditEntry& entry) override;
    AuditPage list(const AuditQuery& query) override;

    static constexpr int kTagBits = 11;

  private:
    void observe(int64_t seq);

    ClickHouseClient client_;
    VersionClock clock_;
    int64_t tag_ = 0;
};

}  // namespace faceid
