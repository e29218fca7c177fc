// The real `faceid serve` over real HTTP on loopback, with a real SQLite file and photo folder.
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

std::string blurred_jpeg(const fs::path& photo) {
    cv::Mat image = cv::imread(photo.string());
    cv::GaussianBlur(image, image, cv::Size(0, 0), std::max(image.cols, image.rows) / 100.0);
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes);
    return {bytes.begin(), bytes.end()};
}

class ServiceTest : public ::testing::Test {
  protected:
    void SetUp() override { data_ = make_temp_dir("faceid-it"); }
    void TearDown() override {
        server_.reset();
        if (!HasFailure()) fs::remove_all(data_);
    }
    ServerProcess& start_server(std::vector<std::string> args = {}) {
        server_ = std::make_unique<ServerProcess>(data_ / "data", std::move(args));
        server_->start();
        return *server_;
    }
    fs::path data_;
    std::unique_ptr<ServerProcess> server_;
};

// Registers each of the 13 people with one photo and searches with another: the right person must come
// first for at least 12; a stranger must be unknown; deletes and restarts behave.
TEST_F(ServiceTest, RegistersAndFindsPeopleAcrossRestartsAndDeletes) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start_server();
    auto http = server.client();

    std::map<std::string, std::string> person_of;  // folder -> person id
    std::map<std::string, fs::path> probe_of;      // folder -> a photo not registered
    for (const auto& entry : fs::directory_iterator(shared / "photos-multi")) {
        if (!entry.is_directory()) continue;
        const auto photos = photos_of(entry.path());
        ASSERT_GE(photos.size(), 2u);
        const std::string folder = entry.path().filename();
        // The first photo that passes the quality gates is the enrolment; the last one the probe.
        for (size_t i = 0; i + 1 < photos.size() && !person_of.count(folder); ++i) {
            auto r = post_multipart(http, "/register", {photo_part(photos[i]), text_part("name", folder)});
            if (r.status == 201) {
                person_of[folder] = r.body["person"]["id"];
                EXPECT_TRUE(r.body["primary"].get<bool>());
                EXPECT_EQ(r.body["person"]["name"], folder);
                EXPECT_GE(r.body["faces_seen"].get<int>(), 1);
            } else {
                ASSERT_EQ(r.status, 422) << r.raw;
            }
        }
        probe_of[folder] = photos.back();
    }
    ASSERT_EQ(person_of.size(), 13u);

    httplib::Client* current = &http;  // the client of the server running now
    auto top_match = [&](const fs::path& photo) -> std::string {
        auto r = post_multipart(*current, "/search", {photo_part(photo)});
        EXPECT_EQ(r.status, 200) << r.raw;
        if (r.status != 200 || r.body["results"].empty()) return "";
        const auto& match = r.body["results"][0]["match"];
        if (match.is_null()) return "unknown";
        // The percentage is the probability that this is the right person, in a gallery of 13.
        EXPECT_GT(match["percentage"].get<double>(), 50.0);
        EXPECT_LE(match["percentage"].get<double>(), 100.0);
        EXPECT_FALSE(match["below_threshold"].get<bool>());
        return match["person"]["id"];
    };
    int right = 0;
    for (const auto& [folder, probe] : probe_of) right += top_match(probe) == person_of[folder];
    EXPECT_GE(right, 12) << "right person first for " << right << " of 13";

    // Never registered: explicit unknown.
    auto stranger =
        post_multipart(http, "/search", {photo_part(shared / "lfw/Colin_Powell/Colin_Powell_0001.jpg")});
    ASSERT_EQ(stranger.status, 200);
    EXPECT_TRUE(stranger.body["results"][0]["match"].is_null()) << stranger.raw;
    for (const auto& c : stranger.body["results"][0]["candidates"])
        EXPECT_TRUE(c["below_threshold"].get<bool>()) << stranger.raw;

    // Delete p07 -> its probe is no longer matched to it.
    auto del = delete_json(http, "/persons/" + person_of["p07"]);
    EXPECT_EQ(del.status, 200);
    EXPECT_NE(top_match(probe_of["p07"]), person_of["p07"]);
    EXPECT_EQ(get_json(http, "/persons/" + person_of["p07"]).status, 404);
    EXPECT_EQ(delete_json(http, "/persons/" + person_of["p07"]).status, 404);

    // Restart: everything else still there and still found.
    EXPECT_EQ(server.stop(), 0) << server.log();
    auto& again = start_server();
    // A clean stop saved the index; the restart uses it instead of rebuilding.
    EXPECT_NE(again.log().find("loaded from the saved index"), std::string::npos) << again.log();
    auto http2 = again.client();
    auto list = get_json(http2, "/persons?limit=100");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.body["persons"].size(), 12u);
    current = &http2;
    int right_after_restart = 0;
    for (const auto& [folder, probe] : probe_of)
        if (folder != "p07") right_after_restart += top_match(probe) == person_of[folder];
    EXPECT_GE(right_after_restart, 11);
    auto photo = http2.Get(("/persons/" + person_of["p01"] + "/photo").c_str());
    ASSERT_TRUE(photo);
    EXPECT_EQ(photo->status, 200);
    EXPECT_EQ(photo->get_header_value("Content-Type"), "image/jpeg");
}

// A blurred copy of a registered photo adds a template but must not become the primary photo; a sharp
// new photo may.
TEST_F(ServiceTest, ReRegistrationKeepsTheBestPhotoPrimary) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start_server({});
    auto http = server.client();
    const auto photos = photos_of(shared / "photos-multi/p01");
    auto first =
        post_multipart(http, "/register",
                       {photo_part(photos[0]), text_part("name", "Angelina"),
                        text_part("external_id", "emp-1"), text_part("metadata", R"({"team":"film"})")});
    ASSERT_EQ(first.status, 201) << first.raw;
    const std::string person = first.body["person"]["id"];
    const std::string primary_face = first.body["face"]["id"];
    EXPECT_EQ(first.body["person"]["metadata"]["team"], "film");

    // The blurred copy is refused by the sharpness gate, with the reason named.
    auto blurred = post_multipart(
        http, "/register",
        {{"photo", blurred_jpeg(photos[0]), "b.jpg", "image/jpeg"}, text_part("person_id", person)});
    ASSERT_EQ(blurred.status, 422) << blurred.raw;
    EXPECT_EQ(blurred.body["error"]["code"], "quality_gate_failed");
    EXPECT_NE(blurred.raw.find("LOW_SHARPNESS"), std::string::npos);

    // A lightly blurred copy passes the gates but has lower quality: a template, not the primary.
    cv::Mat image = cv::imread(photos[0].string());
    cv::GaussianBlur(image, image, cv::Size(0, 0), 2.0);
    std::vector<uchar> soft;
    cv::imencode(".jpg", image, soft, {cv::IMWRITE_JPEG_QUALITY, 60});
    auto second = post_multipart(http, "/register",
                                 {{"photo", std::string(soft.begin(), soft.end()), "s.jpg", "image/jpeg"},
                                  text_part("external_id", "emp-1")});
    ASSERT_EQ(second.status, 201) << second.raw;
    EXPECT_EQ(second.body["person"]["id"], person);  // external_id routes to the same person
    EXPECT_FALSE(second.body["created"].get<bool>());
    EXPECT_FALSE(second.body["primary"].get<bool>());
    auto view = get_json(http, "/persons/" + person);
    ASSERT_EQ(view.status, 200);
    EXPECT_EQ(view.body["primary_face_id"], primary_face);
    EXPECT_EQ(view.body["faces"].size(), 2u);
    EXPECT_EQ(view.body["face_count"], 2);

    // Deleting the primary template makes the remaining one primary.
    EXPECT_EQ(delete_json(http, "/faces/" + primary_face).status, 200);
    view = get_json(http, "/persons/" + person);
    EXPECT_EQ(view.body["primary_face_id"], second.body["face"]["id"]);
    // Unknown person id -> 404, malformed id -> 404, missing name for a new person -> 400.
    EXPECT_EQ(post_multipart(http, "/register",
                             {photo_part(photos[1]), text_part("person_id", "p0000000000000000")})
                  .status,
              404);
    EXPECT_EQ(post_multipart(http, "/register", {photo_part(photos[1]), text_part("person_id", "../../etc")})
                  .status,
              404);
    auto nameless = post_multipart(http, "/register", {photo_part(photos[1])});
    EXPECT_EQ(nameless.status, 400);
    EXPECT_EQ(nameless.body["error"]["code"], "missing_field");
}

// With max_templates = 2, a third photo drops the lowest-quality older template, never the primary.
TEST_F(ServiceTest, TemplateLimitDropsTheWorstNonPrimary) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start_server({"--max-templates", "2"});
    auto http = server.client();
    const auto photos = photos_of(shared / "photos-multi/p01");
    std::string person;
    std::vector<std::string> faces;
    for (const auto& photo : photos) {
        std::vector<Part> parts = {photo_part(photo)};
        parts.push_back(person.empty() ? text_part("name", "Angelina") : text_part("person_id", person));
        auto r = post_multipart(http, "/register", parts);
        if (r.status != 201) continue;
        person = r.body["person"]["id"];
        faces.push_back(r.body["face"]["id"]);
        EXPECT_LE(r.body["person"]["face_count"].get<int>(), 2);
        if (faces.size() == 3) {
            ASSERT_EQ(r.body["dropped_face_ids"].size(), 1u) << r.raw;
            const std::string dropped = r.body["dropped_face_ids"][0];
            EXPECT_NE(dropped, r.body["person"]["primary_face_id"].get<std::string>());
            EXPECT_NE(dropped, faces.back());  // the new template is kept
            EXPECT_EQ(http.Get(("/faces/" + dropped + "/crop").c_str())->status, 404);
            break;
        }
    }
    ASSERT_EQ(faces.size(), 3u);
    auto view = get_json(http, "/persons/" + person);
    EXPECT_EQ(view.body["faces"].size(), 2u);
}

// kill -9 while 8 clients register concurrently: after a restart every registration that got a 201 is
// there, complete, and the database passes integrity_check.
TEST_F(ServiceTest, KillNineDuringConcurrentRegistrationsLosesNothingAcknowledged) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start_server();
    std::vector<fs::path> photos;
    for (const auto& dir : fs::directory_iterator(shared / "lfw")) {
        if (!dir.is_directory()) continue;
        photos.push_back(dir.path() / (dir.path().filename().string() + "_0001.jpg"));
        if (photos.size() == 400) break;
    }
    std::mutex mutex;
    std::set<std::string> acknowledged;
    std::atomic<bool> stop{false};
    std::atomic<size_t> next{0};
    std::vector<std::thread> streams;
    for (int s = 0; s < 8; ++s)
        streams.emplace_back([&] {
            auto http = server.client();
            while (!stop) {
                const size_t i = next++ % photos.size();
                const std::string name = photos[i].parent_path().filename().string();
                auto r = post_multipart(http, "/register", {photo_part(photos[i]), text_part("name", name)});
                if (r.status == 201) {
                    std::lock_guard lock(mutex);
                    acknowledged.insert(r.body["person"]["id"].get<std::string>());
                }
            }
        });
    // Kill once a good number of registrations have been acknowledged (bounded wait).
    for (int waited = 0; waited < 600; ++waited) {
        {
            std::lock_guard lock(mutex);
            if (acknowledged.size() >= 25) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    server.kill_hard();
    stop = true;
    for (auto& t : streams) t.join();
    ASSERT_GE(acknowledged.size(), 10u);

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((data_ / "data/faceid.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "ok");
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    auto& again = start_server();
    // No clean stop, no saved index: it is rebuilt from storage.
    EXPECT_NE(again.log().find("loaded from storage"), std::string::npos) << again.log();
    auto http = again.client();
    for (const auto& id : acknowledged) {
        auto person = get_json(http, "/persons/" + id);
        ASSERT_EQ(person.status, 200) << "acknowledged registration lost: " << id;
        ASSERT_EQ(person.body["faces"].size(), 1u);
        EXPECT_EQ(person.body["primary_face_id"], person.body["faces"][0]["id"]);
        auto crop = http.Get(person.body["faces"][0]["crop_url"].get<std::string>().c_str());
        ASSERT_TRUE(crop);
        EXPECT_EQ(crop->status, 200) << "crop file missing for " << id;
    }
    // No half-written person: every stored person has its face.
    auto list = get_json(http, "/persons?limit=1000");
    for (const auto& p : list.body["persons"]) EXPECT_EQ(p["face_count"], 1) << p.dump();
}

}  // namespace
}  // namespace faceid::testing
