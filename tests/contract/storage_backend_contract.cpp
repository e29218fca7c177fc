// The storage backend bundle contract (see storage_backend_contract.h).
#include "contract/storage_backend_contract.h"

#include "app/storage_backends.h"
#include "support/test_records.h"

#include <set>
#include <string>
#include <vector>

namespace faceid::testing {

std::unique_ptr<StorageBackend> StorageBackendContract::open() {
    return app::open_storage_backend(harness_->config());
}

namespace {

// Registry names are unique, and each row is instantiated in this suite (a new row without its
// instantiation fails here).
TEST(StorageBackendRegistry, EveryRowJoinsTheContract) {
    std::set<std::string> instantiated;
    const auto* unit = ::testing::UnitTest::GetInstance();
    for (int i = 0; i < unit->total_test_suite_count(); ++i) {
        const auto* suite = unit->GetTestSuite(i);
        if (!std::string(suite->name()).ends_with("/StorageBackendContract")) continue;
        for (int j = 0; j < suite->total_test_count(); ++j) {
            const std::string name = suite->GetTestInfo(j)->name();
            instantiated.insert(name.substr(name.rfind('/') + 1));
        }
    }
    std::set<std::string> registered;
    for (const auto& row : app::storage_backends()) {
        EXPECT_TRUE(registered.insert(row.name).second) << "two rows named " << row.name;
        EXPECT_TRUE(row.open) << row.name;
        EXPECT_FALSE(row.help.empty()) << row.name;
    }
    EXPECT_EQ(instantiated, registered);
}

TEST_P(StorageBackendContract, EachStoreIsOpenedOnceAndKeptByTheBundle) {
    auto backend = open();
    EXPECT_FALSE(backend->description().empty());
    EXPECT_EQ(backend->description().rfind(GetParam().name + ":", 0), 0u) << backend->description();
    EXPECT_EQ(&backend->persons(), &backend->persons());
    EXPECT_EQ(&backend->keys(), &backend->keys());
    EXPECT_EQ(&backend->audit(), &backend->audit());
    EXPECT_EQ(backend->persons().count_persons(), 0);
}

// The stores themselves keep their own contracts (instantiated per backend beside this suite); the bundle
// hands out every person job over the same records.
TEST_P(StorageBackendContract, ThePersonJobsWorkOnTheSameRecords) {
    auto backend = open();
    const PersonStores stores = backend->person_stores();
    EXPECT_EQ(&stores.retention, &backend->person_stores().retention);
    const PersonRecord person = make_person("Ada");
    const FaceRecord face = make_face(person.id, 7);
    stores.persons.create_person(person, face);
    EXPECT_TRUE(stores.photo_references.is_blob_referenced(face.photo_key));
    stores.matches.record_matches({{person.id, 5000}});
    EXPECT_EQ(stores.persons.get_person(person.id)->last_matched_at_ms, 5000);
    EXPECT_EQ(stores.retention.inactive_persons(person.created_at_ms + 1),
              std::vector<std::string>{person.id});
}

// A backend that other processes write to reports their writes and offers no index snapshot (it would go
// stale while this process is down); one only this process writes offers a snapshot and no feed.
TEST_P(StorageBackendContract, EitherSharedWithAChangeFeedOrLocalWithASnapshot) {
    auto backend = open();
    EXPECT_NE(backend->change_feed() != nullptr, !backend->index_snapshot().empty());
}

// Two bundles on one configuration (two processes, or a command beside a server) see the same persons,
// faces, keys and audit entries.
TEST_P(StorageBackendContract, BundlesOnOneConfigurationShareTheirData) {
    auto first = open();
    std::unique_ptr<FaceChangeStream> stream;
    if (FaceChangeFeed* feed = first->change_feed()) stream = feed->open_change_stream();
    first->persons();  // opened before the other writes, as a server is

    auto second = open();
    const PersonRecord person = make_person("Ada");
    const FaceRecord face = make_face(person.id, 7);
    second->persons().create_person(person, face);
    second->keys().create_key(
        ApiKeyRecord{"k0000000000000009", "desk", "operator", "aa", "bb", 1000, std::nullopt});
    AuditEntry entry;
    entry.at_ms = 1000;
    entry.key_id = "k0000000000000009";
    entry.role = "operator";
    entry.action = "search";
    second->audit().append(entry);

    auto stored = first->persons().get_person(person.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->name, "Ada");
    EXPECT_EQ(first->persons().count_faces(), 1);
    EXPECT_TRUE(first->keys().get_key("k0000000000000009"));
    EXPECT_EQ(first->audit().list(AuditQuery{}).entries.size(), 1u);
    if (stream) {
        const auto changes = stream->poll([](uint64_t) { return false; });
        ASSERT_EQ(changes.added.size(), 1u);
        EXPECT_EQ(changes.added[0].id, face.id);
    }
}

// Background work starts and stops with the bundle (ClickHouse: compaction).
TEST_P(StorageBackendContract, BackgroundWorkStartsAndStopsWithTheBundle) {
    auto backend = open();
    backend->persons();
    backend->start_background_work();
    backend.reset();
}

}  // namespace
}  // namespace faceid::testing
