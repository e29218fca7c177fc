// Photos in S3 against the real `faceid` binary and a real S3 server (Ceph radosgw from
// scripts/ceph-test-server.sh): two replicas over ClickHouse and S3 with no shared folder; radosgw stopped
// in the middle of a run (503, nothing half-stored, search answers, back without a restart); and
// `faceid photos migrate` from the folder to S3 and back, hashes equal. Skipped loudly without an S3 test
// server (and the replicas test without ClickHouse).
#include "core/ids.h"
#include "core/sha256.h"
#include "integration/server_process.h"
#include "repositories/s3/s3_photo_store.h"
#include "support/s3_test_server.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> s3_env(const S3Settings& s3) {
    return {{"FACEID_PHOTO_STORE", "s3"},
            {"FACEID_S3_ENDPOINT", s3.endpoint},
            {"FACEID_S3_BUCKET", s3.bucket},
            {"FACEID_S3_ACCESS_KEY", s3.access_key},
            {"FACEID_S3_SECRET_KEY", s3.secret_key},
            {"FACEID_S3_PREFIX", s3.prefix}};
}

// The photos of one person of photos-multi, sorted; the last one is kept as the search probe.
std::vector<fs::path> person_photos(const fs::path& shared, const std::string& person) {
    return photos_of(shared / "photos-multi" / person);
}

// Registers the first photo of the person that passes the quality gates; returns the answer's JSON.
nlohmann::json register_person(httplib::Client& http, const fs::path& shared, const std::string& person) {
    const auto photos = person_photos(shared, person);
    for (size_t i = 0; i + 1 < photos.size(); ++i) {
        auto r = post_multipart(http, "/register", {photo_part(photos[i]), text_part("name", person)});
        if (r.status == 201) {
            r.body["photo_path"] = photos[i].string();
            return r.body;
        }
        EXPECT_EQ(r.status, 422) << r.raw;
    }
    ADD_FAILURE() << "no photo of " << person << " could be registered";
    return {};
}

std::string body_of(httplib::Client& http, const std::string& path, int* status = nullptr) {
    auto res = http.Get(path.c_str());
    if (status) *status = res ? res->status : 0;
    return res && res->status == 200 ? res->body : std::string();
}

std::set<std::string> as_set(std::vector<std::string> keys) {
    return {keys.begin(), keys.end()};
}

// Two replicas over ClickHouse and S3, each with its own data folder and no shared one: a person registered
// through A shows its photo and crop through B, byte for byte what S3 holds; the replicas count their S3
// calls in /metrics; nothing lands in a local photo folder.
TEST(S3Replicas, APersonRegisteredThroughAShowsPhotoAndCropThroughB) {
    FACEID_REQUIRE_CLICKHOUSE(url);
    FACEID_REQUIRE_TEST_DATA(shared);
    auto s3 = s3_test_settings();
    if (!s3) GTEST_SKIP() << kNoS3Message;
    const std::string database = "faceid_it_" + random_hex(6);
    const fs::path dir = make_temp_dir("faceid-s3-replicas");
    auto env = s3_env(*s3);
    env.insert({{"FACEID_STORAGE", "clickhouse"},
                {"FACEID_CLICKHOUSE_URL", url},
                {"FACEID_CLICKHOUSE_DATABASE", database},
                {"FACEID_CHANGE_POLL_MS", "500"},
                {"FACEID_WORKERS", "1"}});
    S3PhotoStore bucket(*s3);  // the test's own view of the bucket
    {
        ServerProcess a(dir / "a", {}, false, env), b(dir / "b", {}, false, env);
        a.start();
        b.start();
        auto http_a = a.client();
        auto http_b = b.client();

        const auto registered = register_person(http_a, shared, "p01");
        ASSERT_FALSE(registered.is_null());
        const std::string person_id = registered["person"]["id"], face_id = registered["face"]["id"];
        int status = 0;
        const std::string photo = body_of(http_b, "/persons/" + person_id + "/photo", &status);
        EXPECT_EQ(status, 200) << b.log();
        EXPECT_TRUE(photo == read_file(registered["photo_path"].get<std::string>()))
            << "B serves the registered photo byte for byte";
        const std::string crop = body_of(http_b, "/faces/" + face_id + "/crop", &status);
        EXPECT_EQ(status, 200);
        ASSERT_GT(crop.size(), 100u);
        EXPECT_EQ(crop.substr(0, 2), "\xFF\xD8") << "a JPEG";
        EXPECT_EQ(as_set(bucket.list_keys()),
                  (std::set<std::string>{photo_key_of(photo, "jpg"), photo_key_of(crop, "jpg")}))
            << "exactly the photo and the crop are in the bucket";
        EXPECT_EQ(body_of(http_a, "/faces/" + face_id + "/crop"), crop);

        const std::string metrics = body_of(http_a, "/metrics");
        EXPECT_TRUE(
            std::regex_search(metrics, std::regex(R"(faceid_s3_requests_total\{operation="put"\} [2-9])")))
            << metrics;
        EXPECT_NE(metrics.find("faceid_s3_request_duration_seconds_bucket{operation=\"put\",le=\"+Inf\"}"),
                  std::string::npos);
        EXPECT_NE(metrics.find("faceid_s3_errors_total{operation=\"put\"} 0"), std::string::npos);

        // Deleted through B: the rows go at once; the objects wait for the grace period (300 s by default),
        // because another replica could have just stored the same bytes for a row it has not committed yet.
        ASSERT_EQ(delete_json(http_b, "/persons/" + person_id).status, 200);
        EXPECT_EQ(body_of(http_a, "/persons/" + person_id + "/photo", &status), "");
        EXPECT_EQ(status, 404);
        EXPECT_EQ(bucket.list_keys().size(), 2u) << "young objects are deleted after the grace period";
        EXPECT_FALSE(fs::exists(dir / "a" / "photos"));
        EXPECT_FALSE(fs::exists(dir / "b" / "photos"));
    }
    delete_prefix(bucket);
    httplib::Client(url).Post("/", "DROP DATABASE IF EXISTS " + database, "text/plain");
    fs::remove_all(dir);
}

// A private one-node Ceph for a test that stops and starts its radosgw (so that other tests' S3 is not
// disturbed). ~3.5 s to start.
class PrivateCeph {
  public:
    PrivateCeph() : state_(make_temp_dir("faceid-ceph-fault")) {
        const auto result = run("start");
        const auto at = result.find("FACEID_TEST_S3=");
        if (at == std::string::npos)
            throw std::runtime_error("the Ceph test server did not start:\n" + result);
        std::string line = result.substr(at + 15);
        line = line.substr(0, line.find('\n'));
        const auto first = line.find(','), second = line.find(',', first + 1);
        settings_.endpoint = line.substr(0, first);
        settings_.access_key = line.substr(first + 1, second - first - 1);
        settings_.secret_key = line.substr(second + 1);
        settings_.bucket = "faceid-fault";
    }
    ~PrivateCeph() { run("stop"); }
    std::string run(const std::string& command) {
        const std::string shell = std::string(FACEID_SOURCE_DIR) + "/scripts/ceph-test-server.sh " + command +
                                  " " + state_.string() + " 2>&1";
        std::string output;
        if (FILE* pipe = ::popen(shell.c_str(), "r")) {
            char buffer[4096];
            while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
            ::pclose(pipe);
        }
        return output;
    }
    const S3Settings& settings() const { return settings_; }

  private:
    fs::path state_;
    S3Settings settings_;
};

// radosgw stops in the middle of a run: registrations answer 503 storage_unavailable and store nothing
// (no person, no object); search keeps answering; photo downloads answer 503. radosgw comes back:
// registrations work again without a restart, and every stored face's photo and crop are there, with no
// orphan object beside them.
TEST(S3Faults, RadosgwDownMeans503AndNothingHalfStoredAndItRecoversWithoutARestart) {
    FACEID_REQUIRE_TEST_DATA(shared);
    if (!s3_test_server()) GTEST_SKIP() << kNoS3Message;
    PrivateCeph ceph;
    const fs::path dir = make_temp_dir("faceid-s3-fault");
    const fs::path secret_file = dir / "s3-secret";
    std::ofstream(secret_file) << ceph.settings().secret_key << "\n";
    auto env = s3_env(ceph.settings());
    env.erase("FACEID_S3_SECRET_KEY");  // from the file this time
    env.insert({{"FACEID_S3_SECRET_KEY_FILE", secret_file.string()},
                {"FACEID_S3_RETRIES", "1"},
                {"FACEID_S3_CONNECT_TIMEOUT_MS", "500"},
                {"FACEID_S3_TIMEOUT_MS", "3000"},
                {"FACEID_WORKERS", "1"}});
    ServerProcess server(dir / "data", {}, false, env);
    server.start();
    auto http = server.client();
    const auto first = register_person(http, shared, "p01");
    ASSERT_FALSE(first.is_null());
    const std::string first_id = first["person"]["id"];

    ceph.run("stop-rgw");
    const auto started = std::chrono::steady_clock::now();
    const auto photos = person_photos(shared, "p02");
    auto refused = post_multipart(http, "/register", {photo_part(photos[0]), text_part("name", "p02")});
    EXPECT_EQ(refused.status, 503) << refused.raw;
    EXPECT_EQ(refused.body["error"]["code"], "storage_unavailable") << refused.raw;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10))
        << "bounded by the timeouts";
    auto search = post_multipart(http, "/search", {photo_part(person_photos(shared, "p01").back())});
    ASSERT_EQ(search.status, 200) << search.raw;
    EXPECT_EQ(search.body["results"][0]["match"]["person"]["id"], first_id) << "search does not need S3";
    int status = 0;
    body_of(http, "/persons/" + first_id + "/photo", &status);
    EXPECT_EQ(status, 503);
    auto listed = get_json(http, "/persons");
    EXPECT_EQ(listed.body["persons"].size(), 1u)
        << "the refused registration stored no person: " << listed.raw;

    EXPECT_EQ(ceph.run("start-rgw"), "");
    nlohmann::json second;
    for (const auto& photo : photos) {  // the first passing photo, as register_person would
        auto r = post_multipart(http, "/register", {photo_part(photo), text_part("name", "p02")});
        if (r.status == 201) {
            second = r.body;
            break;
        }
        ASSERT_EQ(r.status, 422) << "after radosgw is back: " << r.raw << "\n" << server.log();
    }
    ASSERT_FALSE(second.is_null());

    // Nothing half-stored: every face's photo and crop downloads, and the bucket holds exactly those.
    S3PhotoStore bucket(ceph.settings());
    std::set<std::string> expected;
    for (const auto& registered : {first, second}) {
        const std::string photo =
            body_of(http, "/persons/" + registered["person"]["id"].get<std::string>() + "/photo", &status);
        EXPECT_EQ(status, 200);
        const std::string crop =
            body_of(http, "/faces/" + registered["face"]["id"].get<std::string>() + "/crop", &status);
        EXPECT_EQ(status, 200);
        expected.insert(photo_key_of(photo, "jpg"));
        expected.insert(photo_key_of(crop, "jpg"));
    }
    EXPECT_EQ(as_set(bucket.list_keys()), expected);
    EXPECT_EQ(server.stop(), 0) << server.log();
    fs::remove_all(dir);
}

// "migrate from=files to=s3 keys=12 copied=12 ..." -> {"keys": 12, "copied": 12, ...}
std::map<std::string, double> migrate_figures(const std::string& output) {
    std::map<std::string, double> figures;
    std::smatch line;
    if (!std::regex_search(output, line, std::regex(R"(migrate from=\w+ to=\w+ ([^\n]*))"))) return figures;
    const std::string fields = line[1];
    const std::regex pair(R"((\w+)=([\d.]+))");
    for (auto it = std::sregex_iterator(fields.begin(), fields.end(), pair); it != std::sregex_iterator();
         ++it)
        figures[(*it)[1]] = std::stod((*it)[2]);
    return figures;
}

// Every blob of a photo folder: key -> SHA-256 of its bytes.
std::map<std::string, std::string> folder_hashes(const fs::path& folder) {
    std::map<std::string, std::string> hashes;
    if (!fs::exists(folder)) return hashes;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.is_regular_file() && is_valid_photo_key(entry.path().filename().string()))
            hashes[entry.path().filename().string()] = sha256_hex(read_file(entry.path()));
    return hashes;
}

// A gallery of photos-multi in a folder moves to S3 and back: during the switch-over a server on S3 reads
// what is not copied yet from the folder; the copy is resumable and reports counts and bytes; after it the
// server serves every photo from S3 alone; back in a new folder, every blob hashes to its key and the set
// equals the original.
TEST(PhotosMigrate, AGalleryMovesToS3AndBackWithEqualHashes) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto s3 = s3_test_settings();
    if (!s3) GTEST_SKIP() << kNoS3Message;
    const fs::path dir = make_temp_dir("faceid-migrate");
    const fs::path data = dir / "data";
    // Three persons of photos-multi, imported into the folder store.
    for (const char* person : {"p01", "p02", "p03"})
        fs::create_directories(dir / "people"),
            fs::create_directory_symlink(shared / "photos-multi" / person, dir / "people" / person);
    const auto imported = run_faceid({"import", (dir / "people").string(), "--data", data.string(),
                                      "--models", models_dir().string(), "--quiet", "--allow-duplicates"});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    const auto originals = folder_hashes(data / "photos");
    ASSERT_GE(originals.size(), 6u) << imported.output;
    for (const auto& [key, hash] : originals) EXPECT_EQ(key.substr(0, 64), hash) << "content addressed";

    const fs::path secret_file = dir / "s3-secret";
    std::ofstream(secret_file) << s3->secret_key << "\n";
    auto write_config = [&](const std::string& store, const std::string& fallback,
                            const fs::path& photos_dir) {
        const fs::path file = dir / ("faceid-" + store + "-" + fallback + ".json");
        nlohmann::json storage = {{"photo_store", store},
                                  {"photo_fallback", fallback},
                                  {"photos_dir", photos_dir.string()},
                                  {"s3_endpoint", s3->endpoint},
                                  {"s3_bucket", s3->bucket},
                                  {"s3_prefix", s3->prefix},
                                  {"s3_access_key", s3->access_key},
                                  {"s3_secret_key_file", secret_file.string()}};
        std::ofstream(file) << nlohmann::json{{"storage", storage}}.dump(2);
        return file;
    };

    // Switch-over: the server writes to S3 and reads what S3 lacks from the folder.
    const auto switching = write_config("s3", "files", data / "photos");
    nlohmann::json added;
    {
        ServerProcess server(data, {"--config", switching.string()});
        server.start();
        auto http = server.client();
        auto persons = get_json(http, "/persons?limit=100");
        ASSERT_EQ(persons.status, 200);
        ASSERT_FALSE(persons.body["persons"].empty());
        for (const auto& person : persons.body["persons"]) {
            int status = 0;
            body_of(http, "/persons/" + person["id"].get<std::string>() + "/photo", &status);
            EXPECT_EQ(status, 200) << "read from the old store while not copied";
        }
        added = register_person(http, shared, "p04");
        ASSERT_FALSE(added.is_null());
        EXPECT_EQ(server.stop(), 0);
    }
    S3PhotoStore bucket(*s3);
    EXPECT_EQ(bucket.list_keys().size(), 2u) << "only the new registration is in S3 before the copy";

    const auto copy = run_faceid(
        {"photos", "migrate", "--to", "s3", "--config", switching.string(), "--data", data.string()});
    ASSERT_EQ(copy.exit_code, 0) << copy.output;
    auto figures = migrate_figures(copy.output);
    EXPECT_EQ(figures["keys"], double(originals.size() + 2)) << copy.output;
    EXPECT_EQ(figures["copied"], double(originals.size())) << copy.output;
    EXPECT_EQ(figures["already"], 2) << copy.output;
    uint64_t original_bytes = 0;
    for (const auto& [key, hash] : originals)
        original_bytes += fs::file_size(data / "photos" / key.substr(0, 2) / key);
    EXPECT_EQ(figures["bytes_copied"], double(original_bytes)) << copy.output;
    const auto again = run_faceid(
        {"photos", "migrate", "--to", "s3", "--config", switching.string(), "--data", data.string()});
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(migrate_figures(again.output)["copied"], 0) << "resumable: " << again.output;
    EXPECT_EQ(migrate_figures(again.output)["already"], double(originals.size() + 2)) << again.output;

    // S3 alone, the folder gone from the configuration: every photo still shows.
    const auto on_s3 = write_config("s3", "", dir / "nowhere");
    {
        ServerProcess server(data, {"--config", on_s3.string()});
        server.start();
        auto http = server.client();
        for (const auto& person : get_json(http, "/persons?limit=100").body["persons"]) {
            int status = 0;
            const std::string photo =
                body_of(http, "/persons/" + person["id"].get<std::string>() + "/photo", &status);
            EXPECT_EQ(status, 200);
            EXPECT_TRUE(bytes_match_photo_key(photo, photo_key_of(photo, "jpg")));
            if (person["id"] != added["person"]["id"]) {
                EXPECT_TRUE(originals.count(photo_key_of(photo, "jpg"))) << "the same bytes as in the folder";
            }
        }
        EXPECT_EQ(server.stop(), 0);
    }
    EXPECT_FALSE(fs::exists(dir / "nowhere" / "00"));

    // And back into a new folder: the same blobs, every one hashing to its key.
    const auto back = run_faceid({"photos", "migrate", "--to", "files", "--config",
                                  write_config("s3", "", dir / "back").string(), "--data", data.string()});
    ASSERT_EQ(back.exit_code, 0) << back.output;
    const auto returned = folder_hashes(dir / "back");
    EXPECT_EQ(returned.size(), originals.size() + 2);
    for (const auto& [key, hash] : returned) EXPECT_EQ(key.substr(0, 64), hash);
    for (const auto& [key, hash] : originals) EXPECT_EQ(returned.count(key), 1u) << key;
    delete_prefix(bucket);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace faceid::testing
