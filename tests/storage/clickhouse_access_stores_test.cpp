// What the ClickHouse key store and audit log promise beyond the access-store contracts, because replicas
// share them: a key made or revoked through one replica counts at once through another, the first admin key
// is claimed once by replicas starting together, and the audit log is one causally ordered log.
#include "core/clock.h"
#include "core/error.h"
#include "repositories/clickhouse/clickhouse_api_key_repository.h"
#include "repositories/clickhouse/clickhouse_audit_log.h"
#include "services/api_key_service.h"
#include "support/clickhouse_test_database.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace faceid::testing {
namespace {

class ClickHouseAccessStores : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto url = clickhouse_test_url();
        if (!url) GTEST_SKIP() << kNoClickHouseMessage;
        database_ = std::make_unique<ClickHouseTestDatabase>(*url);
    }
    const ClickHouseSettings& settings() const { return database_->settings(); }

    std::unique_ptr<ClickHouseTestDatabase> database_;
};

// A process started after the first key was claimed finds it and claims nothing.
TEST_F(ClickHouseAccessStores, ALaterReplicaDoesNotClaimAnotherFirstKey) {
    ClickHouseApiKeyRepository first(settings());
    ApiKeyService(first).bootstrap_admin();
    ClickHouseApiKeyRepository later(settings());
    ApiKeyService service(later);
    EXPECT_FALSE(service.bootstrap_admin());
    EXPECT_EQ(later.count_keys(), 1);
}

// A key made through one replica authenticates through another; revoked through that one, it is refused
// by the first on the very next lookup (nothing is cached).
TEST_F(ClickHouseAccessStores, KeysAreSharedAndRevocationIsImmediate) {
    ClickHouseApiKeyRepository store_a(settings()), store_b(settings());
    ApiKeyService a(store_a), b(store_b);
    const auto created = a.create(Role::kOperator, "desk");
    auto caller = b.authenticate(created.key);
    ASSERT_TRUE(caller);
    EXPECT_EQ(caller->role, Role::kOperator);
    EXPECT_EQ(caller->key_id, created.record.id);
    EXPECT_TRUE(b.revoke(created.record.id));
    EXPECT_FALSE(a.authenticate(created.key));
    EXPECT_FALSE(a.revoke(created.record.id));  // already revoked, as seen from the other replica
    const auto listed = a.list();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_FALSE(listed[0].active());
    EXPECT_THROW(store_b.create_key(created.record), Error);  // the id is taken, also across handles
}

// Both replicas' entries in one log, listed alike by either: seq increasing per replica, unique, and an
// entry appended after a replica has listed another's sorts after it.
TEST_F(ClickHouseAccessStores, AuditIsSharedAndOrdered) {
    ClickHouseAuditLog a(settings()), b(settings());
    std::vector<int64_t> from_a, from_b;
    for (int i = 0; i < 20; ++i) {
        AuditEntry entry;
        entry.at_ms = 1000 + i;
        entry.role = "admin";
        entry.action = "search";
        entry.key_id = "ka";
        from_a.push_back(a.append(entry));
        entry.key_id = "kb";
        from_b.push_back(b.append(entry));
    }
    EXPECT_TRUE(std::is_sorted(from_a.begin(), from_a.end()));
    EXPECT_TRUE(std::is_sorted(from_b.begin(), from_b.end()));
    std::set<int64_t> all(from_a.begin(), from_a.end());
    all.insert(from_b.begin(), from_b.end());
    EXPECT_EQ(all.size(), 40u);

    AuditQuery page_query;
    page_query.limit = 7;
    for (AuditLog* log : {static_cast<AuditLog*>(&a), static_cast<AuditLog*>(&b)}) {
        std::vector<int64_t> listed;
        page_query.before_seq.reset();
        for (;;) {
            auto page = log->list(page_query);
            for (const auto& e : page.entries) listed.push_back(e.seq);
            if (!page.next_before_seq) break;
            page_query.before_seq = page.next_before_seq;
        }
        EXPECT_EQ(std::set<int64_t>(listed.begin(), listed.end()), all);
        EXPECT_TRUE(std::is_sorted(listed.rbegin(), listed.rend()));  // newest first
        EXPECT_EQ(listed.size(), 40u);
    }
    AuditQuery of_b;
    of_b.key_id = "kb";
    EXPECT_EQ(a.list(of_b).entries.size(), 20u);

    // Causal order: a replica whose clock runs an hour ahead appended an entry; once b has listed it, b's
    // next entry sorts after it, and so does the first entry of a replica started after it.
    const int64_t ahead_us = (now_ms() + 3'600'000) * 1000;
    const int64_t ahead_seq = (ahead_us << ClickHouseAuditLog::kTagBits) | 5;
    ClickHouseClient(settings())
        .query(
            "INSERT INTO audit (seq, at, key_id, key_name, role, action, status, subject_ids, result_ids) "
            "VALUES (" +
            std::to_string(ahead_seq) + ", 0, 'kc', 'c', 'admin', 'search', 200, '[]', '[]')");
    AuditEntry late;
    late.action = "delete.person";
    late.key_id = "kb";
    EXPECT_LT(b.append(late), ahead_seq);  // b has not seen it: its own clock
    AuditQuery top;
    top.limit = 1;
    ASSERT_EQ(b.list(top).entries.at(0).seq, ahead_seq);
    EXPECT_GT(b.append(late), ahead_seq);
    ClickHouseAuditLog restarted(settings());
    EXPECT_GT(restarted.append(late), ahead_seq);
}

}  // namespace
}  // namespace faceid::testing
