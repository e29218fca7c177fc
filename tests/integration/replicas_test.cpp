// Two `faceid serve` replicas over one ClickHouse server (scripts/clickhouse-test-server.sh) and one shared
// photo folder: what one replica writes, the other finds within 2 seconds, and a replica restarted in the
// middle catches up. Skipped loudly when no ClickHouse test server runs.
#include "core/ids.h"
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How long a change on one replica may take to show on another (the requirement).
constexpr auto kPropagation = std::chrono::seconds(2);

class ReplicasTest : public ::testing::Test {
  protected:
    void TearDown() override {
        a_.reset();
        b_.reset();
        if (!database_.empty() && url_) {
            httplib::Client admin(*url_);
            admin.Post("/", "DROP DATABASE IF EXISTS " + database_, "text/plain");
        }
        if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
    }

    std::unique_ptr<ServerProcess> replica(const std::string& name) {
        return std::make_unique<ServerProcess>(dir_ / name, std::vector<std::string>{}, /*auth=*/false,
                                               std::map<std::string, std::string>{
                                                   {"FACEID_STORAGE", "clickhouse"},
                                                   {"FACEID_CLICKHOUSE_URL", *url_},
                                                   {"FACEID_CLICKHOUSE_DATABASE", database_},
                                                   {"FACEID_PHOTOS_DIR", (dir_ / "shared-photos").string()},
                                                   {"FACEID_CHANGE_POLL_MS", "500"},
                                                   {"FACEID_WORKERS", "1"},
                                               });
    }

    std::optional<std::string> url_;
    std::string database_;
    fs::path dir_;
    std::unique_ptr<ServerProcess> a_, b_;
};

// The id of the best match of the photo's face on this replica ("" for none).
std::string top_match(httplib::Client& http, const fs::path& photo) {
    auto r = post_multipart(http, "/search", {photo_part(photo)});
    EXPECT_EQ(r.status, 200) << r.raw;
    if (r.status != 200 || r.body["results"].empty() || r.body["results"][0]["match"].is_null()) return "";
    return r.body["results"][0]["match"]["person"]["id"];
}

// Searches until want(top match) holds; true if a search that started within kPropagation of `since` saw it.
template <class Want>
bool seen_within_propagation(httplib::Client& http, const fs::path& photo, Clock::time_point since,
                             Want want) {
    for (;;) {
        const auto started = Clock::now();
        if (started - since > kPropagation) return false;
        if (want(top_match(http, photo))) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

TEST_F(ReplicasTest, WritesOnOneReplicaReachTheOtherAndARestartedReplicaCatchesUp) {
    FACEID_REQUIRE_CLICKHOUSE(url);
    FACEID_REQUIRE_TEST_DATA(shared);
    url_ = url;
    database_ = "faceid_it_" + random_hex(6);
    dir_ = make_temp_dir("faceid-replicas");
    a_ = replica("a");
    b_ = replica("b");
    a_->start();
    b_->start();
    auto http_a = a_->client();
    auto http_b = b_->client();

    auto photos_of = [&](const char* person) {
        std::vector<fs::path> photos;
        for (const auto& e : fs::directory_iterator(shared / "photos-multi" / person))
            if (e.path().extension() == ".jpg") photos.push_back(e.path());
        std::sort(photos.begin(), photos.end());
        return photos;
    };
    // Registers the first photo that passes the quality gates; the last photo is the probe.
    auto register_on = [&](httplib::Client& http, const char* person) -> std::string {
        const auto photos = photos_of(person);
        for (size_t i = 0; i + 1 < photos.size(); ++i) {
            auto r = post_multipart(http, "/register", {photo_part(photos[i]), text_part("name", person)});
            if (r.status == 201) return r.body["person"]["id"];
            EXPECT_EQ(r.status, 422) << r.raw;
        }
        ADD_FAILURE() << "no photo of " << person << " could be registered";
        return "";
    };
    auto probe = [&](const char* person) { return photos_of(person).back(); };

    // Registered through A -> found through B within 2 s, with its photo readable from B (shared folder).
    const std::string p01 = register_on(http_a, "p01");
    auto registered = Clock::now();
    ASSERT_FALSE(p01.empty());
    EXPECT_TRUE(seen_within_propagation(http_b, probe("p01"), registered,
                                        [&](const std::string& id) { return id == p01; }))
        << "B did not find the person registered through A within 2 s\n"
        << b_->log();
    auto photo_from_b = http_b.Get(("/persons/" + p01 + "/photo").c_str());
    ASSERT_TRUE(photo_from_b);
    EXPECT_EQ(photo_from_b->status, 200);

    // Deleted through B -> no longer matched through A within 2 s.
    const std::string p02 = register_on(http_a, "p02");
    ASSERT_FALSE(p02.empty());
    ASSERT_TRUE(seen_within_propagation(http_b, probe("p02"), Clock::now(),
                                        [&](const std::string& id) { return id == p02; }));
    ASSERT_EQ(top_match(http_a, probe("p02")), p02);
    ASSERT_EQ(delete_json(http_b, "/persons/" + p02).status, 200);
    auto deleted = Clock::now();
    EXPECT_TRUE(seen_within_propagation(http_a, probe("p02"), deleted,
                                        [&](const std::string& id) { return id != p02; }))
        << "A still matched the person deleted through B after 2 s\n"
        << a_->log();
    EXPECT_EQ(get_json(http_a, "/persons/" + p02).status, 404);

    // B goes down; A registers one person and deletes another meanwhile; B comes back with both changes.
    EXPECT_EQ(b_->stop(), 0) << b_->log();
    const std::string p03 = register_on(http_a, "p03");
    ASSERT_FALSE(p03.empty());
    ASSERT_EQ(delete_json(http_a, "/persons/" + p01).status, 200);
    b_->start();
    auto http_b2 = b_->client();
    EXPECT_EQ(top_match(http_b2, probe("p03")), p03);
    EXPECT_NE(top_match(http_b2, probe("p01")), p01);
    auto ready = get_json(http_b2, "/readyz");
    EXPECT_EQ(ready.body["persons"], 1) << ready.raw;

    // And it keeps following after the restart.
    const std::string p04 = register_on(http_a, "p04");
    ASSERT_FALSE(p04.empty());
    EXPECT_TRUE(seen_within_propagation(http_b2, probe("p04"), Clock::now(),
                                        [&](const std::string& id) { return id == p04; }));
}

}  // namespace
}  // namespace faceid::testing
