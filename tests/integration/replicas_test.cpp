// Two `faceid serve` replicas over one ClickHouse server (scripts/clickhouse-test-server.sh) and one shared
// photo folder: what one replica writes, the other finds within 2 seconds, and a replica restarted in the
// middle catches up; API keys and the audit log are shared by both. Skipped loudly when no ClickHouse test
// server runs.
#include "core/ids.h"
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How long a change on one replica may take to show on another (the issue's requirement).
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

    std::unique_ptr<ServerProcess> replica(const std::string& name, bool auth = false) {
        return std::make_unique<ServerProcess>(dir_ / name, std::vector<std::string>{}, auth,
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
    // B decides for the gallery it follows: one template, the same decision as A's.
    auto decided_on_b = post_multipart(http_b, "/search", {photo_part(probe("p01"))});
    auto decided_on_a = post_multipart(http_a, "/search", {photo_part(probe("p01"))});
    ASSERT_EQ(decided_on_b.status, 200) << decided_on_b.raw;
    EXPECT_EQ(decided_on_b.body["decision"]["gallery_templates"], 1) << decided_on_b.raw;
    EXPECT_EQ(decided_on_b.body["decision"], decided_on_a.body["decision"]);
    auto photo_from_b = http_b.Get(("/persons/" + p01 + "/photo").c_str());
    ASSERT_TRUE(photo_from_b);
    EXPECT_EQ(photo_from_b->status, 200);

    // Deleted through B -> no longer matched through A within 2 s.
    const std::string p02 = register_on(http_a, "p02");
    ASSERT_FALSE(p02.empty());
    ASSERT_TRUE(seen_within_propagation(http_b, probe("p02"), Clock::now(),
                                        [&](const std::string& id) { return id == p02; }));
    ASSERT_EQ(top_match(http_a, probe("p02")), p02);
    // Two templates now: B's threshold rose with the gallery it follows.
    auto grown_on_b = post_multipart(http_b, "/search", {photo_part(probe("p02"))});
    EXPECT_EQ(grown_on_b.body["decision"]["gallery_templates"], 2) << grown_on_b.raw;
    EXPECT_GT(grown_on_b.body["decision"]["threshold"].get<double>(),
              decided_on_b.body["decision"]["threshold"].get<double>());
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

// Sends a request with an API key (Authorization: Bearer).
JsonResponse with_key(httplib::Client& http, const std::string& method, const std::string& path,
                      const std::string& key, const std::string& json_body = "") {
    const httplib::Headers headers = {{"Authorization", "Bearer " + key}};
    auto res = method == "POST"     ? http.Post(path.c_str(), headers, json_body, "application/json")
               : method == "DELETE" ? http.Delete(path.c_str(), headers)
                                    : http.Get(path.c_str(), headers);
    return json_response(res);
}

// Every audit entry a replica lists, newest first, following the cursor.
std::vector<nlohmann::json> all_audit(httplib::Client& http, const std::string& key) {
    std::vector<nlohmann::json> entries;
    std::string path = "/audit?limit=2";
    for (;;) {
        auto page = with_key(http, "GET", path, key);
        EXPECT_EQ(page.status, 200) << page.raw;
        if (page.status != 200) break;
        for (const auto& e : page.body["entries"]) entries.push_back(e);
        if (page.body["next_cursor"].is_null()) break;
        path = "/audit?limit=2&cursor=" + page.body["next_cursor"].get<std::string>();
    }
    return entries;
}

// Keys and audit live in ClickHouse: two replicas starting together on an empty database print one first
// admin key between them; a key made through A (or the CLI) works on B; a key revoked through B is refused
// by A on the very next request (keys are looked up per request, nothing is cached); both replicas list
// the same audit log, with what each of them and the CLI recorded; the data folders hold no SQLite file.
TEST_F(ReplicasTest, KeysAndAuditAreSharedByAllReplicas) {
    FACEID_REQUIRE_CLICKHOUSE(url);
    url_ = url;
    database_ = "faceid_it_" + random_hex(6);
    dir_ = make_temp_dir("faceid-replicas-keys");
    a_ = replica("a", /*auth=*/true);
    b_ = replica("b", /*auth=*/true);
    std::string b_failed;
    std::thread start_b([&] {
        try {
            b_->start();
        } catch (const std::exception& error) {
            b_failed = error.what();
        }
    });
    a_->start();
    start_b.join();
    ASSERT_EQ(b_failed, "");
    const std::string key_a = a_->bootstrap_key(), key_b = b_->bootstrap_key();
    ASSERT_TRUE(key_a.empty() != key_b.empty()) << "expected exactly one first admin key\nA:\n"
                                                << a_->log() << "\nB:\n"
                                                << b_->log();
    const std::string admin = key_a.empty() ? key_b : key_a;
    auto http_a = a_->client();
    auto http_b = b_->client();
    auto keys_on_a = with_key(http_a, "GET", "/keys", admin);
    ASSERT_EQ(keys_on_a.status, 200) << keys_on_a.raw;
    ASSERT_EQ(keys_on_a.body["keys"].size(), 1u);
    EXPECT_EQ(with_key(http_b, "GET", "/keys", admin).body, keys_on_a.body);

    // Created through A -> works on B.
    auto created = with_key(http_a, "POST", "/keys", admin, R"({"role": "auditor", "name": "desk"})");
    ASSERT_EQ(created.status, 201) << created.raw;
    const std::string auditor = created.body["key"], auditor_id = created.body["id"];
    EXPECT_EQ(with_key(http_b, "GET", "/audit", auditor).status, 200);
    EXPECT_EQ(with_key(http_b, "GET", "/keys", auditor).status, 403);  // its role, not more

    // Created by the command line with the replicas' configuration -> works on both.
    const fs::path config = dir_ / "faceid.json";
    std::ofstream(config)
        << nlohmann::json{{"storage", {{"backend", "clickhouse"}, {"url", *url_}, {"database", database_}}}}
               .dump();
    const auto cli = run_faceid({"keys", "create", "--config", config.string(), "--data",
                                 (dir_ / "cli").string(), "--role", "operator", "--name", "cli"});
    ASSERT_EQ(cli.exit_code, 0) << cli.output;
    const std::string operator_key = cli.output.substr(cli.output.rfind("fidb_"), 5 + 17 + 1 + 64);
    EXPECT_EQ(with_key(http_a, "GET", "/persons", operator_key).status, 200);
    EXPECT_EQ(with_key(http_b, "GET", "/persons", operator_key).status, 200);

    // Revoked through B -> refused by A on the next request.
    ASSERT_EQ(with_key(http_b, "DELETE", "/keys/" + auditor_id, admin).status, 200);
    EXPECT_EQ(with_key(http_a, "GET", "/audit", auditor).status, 401);
    EXPECT_EQ(with_key(http_b, "GET", "/audit", auditor).status, 401);
    const auto listed =
        run_faceid({"keys", "list", "--config", config.string(), "--data", (dir_ / "cli").string()});
    EXPECT_NE(listed.output.find(auditor_id + "  auditor  "), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("revoked"), std::string::npos) << listed.output;

    // One audit log, the same from both replicas: the first start, A's key.create, the CLI's, B's revoke.
    const auto audit_a = all_audit(http_a, admin);
    const auto audit_b = all_audit(http_b, admin);
    EXPECT_EQ(audit_a, audit_b);
    std::vector<std::string> actions;
    std::set<int64_t> seqs;
    for (const auto& e : audit_a) {
        actions.push_back(e["key_id"].get<std::string>() + " " + e["action"].get<std::string>());
        seqs.insert(e["seq"].get<int64_t>());
    }
    const std::string admin_id = admin.substr(5, 17);
    EXPECT_EQ(actions, (std::vector<std::string>{admin_id + " key.revoke", "cli key.create",
                                                 admin_id + " key.create", "server key.create"}));
    EXPECT_EQ(seqs.size(), audit_a.size());
    ASSERT_EQ(audit_a.size(), 4u);
    EXPECT_EQ(audit_a[0]["subject_ids"], nlohmann::json::array({auditor_id}));

    // Nothing of this lives in the replicas' data folders.
    EXPECT_FALSE(fs::exists(dir_ / "a" / "faceid.db"));
    EXPECT_FALSE(fs::exists(dir_ / "b" / "faceid.db"));
}

}  // namespace
}  // namespace faceid::testing
