#include "contract/access_store_contract.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

namespace faceid::testing {
namespace {

void check_api_key_repository_contract(ApiKeyRepository& keys) {
    EXPECT_EQ(keys.count_keys(), 0);
    EXPECT_FALSE(keys.get_key("k0000000000000001"));
    ApiKeyRecord a{"k0000000000000001", "desk", "operator", "aa", "bb", 1000, std::nullopt};
    ApiKeyRecord b{"k0000000000000002", "gate", "searcher", "cc", "dd", 2000, std::nullopt};
    keys.create_key(a);
    keys.create_key(b);
    EXPECT_THROW(keys.create_key(a), Error);
    EXPECT_EQ(keys.count_keys(), 2);
    auto got = keys.get_key(a.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->name, "desk");
    EXPECT_EQ(got->role, "operator");
    EXPECT_EQ(got->salt_hex, "aa");
    EXPECT_EQ(got->hash_hex, "bb");
    EXPECT_TRUE(got->active());
    EXPECT_TRUE(keys.revoke_key(a.id, 5000));
    EXPECT_FALSE(keys.revoke_key(a.id, 6000));  // already revoked
    EXPECT_FALSE(keys.revoke_key("k00000000000000ff", 6000));
    EXPECT_EQ(keys.get_key(a.id)->revoked_at_ms, 5000);
    const auto all = keys.list_keys();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, a.id);  // oldest first
    EXPECT_FALSE(all[0].active());
    EXPECT_TRUE(all[1].active());
    EXPECT_EQ(keys.count_keys(), 2);  // revoked keys still count: no second first-start admin
    EXPECT_FALSE(keys.create_first_key({"k0000000000000003", "late", "admin", "ee", "ff", 7000, {}}));
    EXPECT_FALSE(keys.get_key("k0000000000000003"));
}

void check_first_key_contract(const std::vector<ApiKeyRepository*>& handles) {
    ASSERT_FALSE(handles.empty());
    std::vector<int> won(handles.size() * 2, 0);
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    std::mutex errors_mutex;
    std::string errors;
    for (size_t i = 0; i < won.size(); ++i)
        threads.emplace_back([&, i] {
            char id[18];
            std::snprintf(id, sizeof id, "k%016zx", i + 1);
            ApiKeyRecord key{id, "first admin", "admin", "aa", "bb", 1000, std::nullopt};
            ready++;
            while (ready < int(won.size())) std::this_thread::yield();  // start together
            try {
                won[i] = handles[i % handles.size()]->create_first_key(key) ? 1 : 0;
            } catch (const std::exception& error) {
                won[i] = -1;
                std::lock_guard lock(errors_mutex);
                errors += std::string(error.what()) + "\n";
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(errors, "");
    EXPECT_EQ(std::count(won.begin(), won.end(), 1), 1);
    for (ApiKeyRepository* handle : handles) {
        EXPECT_EQ(handle->count_keys(), 1);
        const auto keys = handle->list_keys();
        ASSERT_EQ(keys.size(), 1u);
        const size_t winner = size_t(std::find(won.begin(), won.end(), 1) - won.begin());
        char id[18];
        std::snprintf(id, sizeof id, "k%016zx", winner + 1);
        EXPECT_EQ(keys[0].id, id);
        EXPECT_TRUE(keys[0].active());
    }
}

AuditQuery query(int limit, std::optional<int64_t> before_seq = std::nullopt,
                 std::optional<std::string> action = std::nullopt,
                 std::optional<std::string> key_id = std::nullopt) {
    AuditQuery q;
    q.limit = limit;
    q.before_seq = before_seq;
    q.action = std::move(action);
    q.key_id = std::move(key_id);
    return q;
}

void check_audit_log_contract(AuditLog& log) {
    EXPECT_TRUE(log.list({}).entries.empty());
    int64_t last = 0;
    for (int i = 0; i < 5; ++i) {
        AuditEntry e;
        e.at_ms = 1000 + i;
        e.key_id = i % 2 ? "k0000000000000001" : "k0000000000000002";
        e.key_name = "n";
        e.role = "admin";
        e.action = i == 4 ? "delete.person" : "search";
        e.status = 200;
        e.result_ids = nlohmann::json::array({"p" + std::to_string(i)});
        const int64_t seq = log.append(e);
        EXPECT_GT(seq, last);
        last = seq;
    }
    auto first = log.list(query(2));
    ASSERT_EQ(first.entries.size(), 2u);
    EXPECT_EQ(first.entries[0].action, "delete.person");  // newest first
    EXPECT_EQ(first.entries[0].result_ids[0], "p4");
    ASSERT_TRUE(first.next_before_seq);
    auto second = log.list(query(2, first.next_before_seq));
    ASSERT_EQ(second.entries.size(), 2u);
    EXPECT_LT(second.entries[0].seq, first.entries[1].seq);
    auto third = log.list(query(2, second.next_before_seq));
    EXPECT_EQ(third.entries.size(), 1u);
    EXPECT_FALSE(third.next_before_seq);
    EXPECT_EQ(log.list(query(50, std::nullopt, "search")).entries.size(), 4u);
    EXPECT_EQ(log.list(query(50, std::nullopt, std::nullopt, "k0000000000000001")).entries.size(), 2u);
    EXPECT_TRUE(log.list(query(50, std::nullopt, "x' OR '1'='1")).entries.empty());
    EXPECT_TRUE(log.list(query(50, std::nullopt, std::nullopt, "\\' OR 1=1 --")).entries.empty());
    // Text fields come back byte for byte, quotes and control characters included.
    AuditEntry odd;
    odd.at_ms = 2000;
    odd.key_id = "cli";
    odd.key_name = "it's a \\ \"name\"\n\t";
    odd.role = "admin";
    odd.action = "key.create";
    odd.status = 0;
    odd.subject_ids = nlohmann::json::array({"k'1"});
    log.append(odd);
    auto found = log.list(query(1, std::nullopt, "key.create", "cli"));
    ASSERT_EQ(found.entries.size(), 1u);
    EXPECT_EQ(found.entries[0].key_name, odd.key_name);
    EXPECT_EQ(found.entries[0].subject_ids, odd.subject_ids);
    EXPECT_EQ(found.entries[0].status, 0);
    EXPECT_GT(found.entries[0].seq, last);
}

}  // namespace

TEST_P(ApiKeyRepositoryContract, StoresListsAndRevokesKeys) {
    check_api_key_repository_contract(harness_->keys());
}

// Several processes starting at once on an empty store (several replicas, or faceid keys beside a
// server): exactly one first admin key between them.
TEST_P(ApiKeyRepositoryContract, FirstKeyIsClaimedOnceByConcurrentHandles) {
    auto second = harness_->another_keys_handle();
    auto third = harness_->another_keys_handle();
    check_first_key_contract({&harness_->keys(), second.get(), third.get()});
}

TEST_P(AuditLogContract, AppendsListsPagesAndFilters) {
    check_audit_log_contract(harness_->audit());
}

}  // namespace faceid::testing
