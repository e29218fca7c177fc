// Bulk import, duplicates, retention and /detect against the real `faceid` binary, a real server and a
// real SQLite file and photo folder.
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

// Runs the faceid binary with arguments, its output going to out_file; returns the exit status and output.
std::pair<int, std::string> run_faceid_logged(const std::vector<std::string>& args,
                                              const fs::path& out_file) {
    std::string command = FACEID_BINARY;
    for (const auto& a : args) command += " '" + a + "'";
    command += " > '" + out_file.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out_file)};
}

// "import done=61 created=13 ..." -> {"done": 61, "created": 13, ...}
std::map<std::string, double> import_figures(const std::string& output) {
    std::map<std::string, double> figures;
    const std::regex line(R"(import (.*))");
    std::smatch m;
    if (!std::regex_search(output, m, line)) return figures;
    const std::string fields = m[1];
    const std::regex pair(R"((\w+)=([0-9.]+))");
    for (auto it = std::sregex_iterator(fields.begin(), fields.end(), pair); it != std::sregex_iterator();
         ++it)
        figures[(*it)[1]] = std::stod((*it)[2]);
    return figures;
}

JsonResponse post_empty(httplib::Client& client, const std::string& path) {
    return json_response(client.Post(path.c_str(), "", "application/json"));
}

std::set<std::string> face_ids(const nlohmann::json& person) {
    std::set<std::string> ids;
    for (const auto& f : person["faces"]) ids.insert(f["id"].get<std::string>());
    return ids;
}

class GalleryTest : public ::testing::Test {
  protected:
    void SetUp() override { dir_ = make_temp_dir("faceid-gallery-it"); }
    void TearDown() override {
        server_.reset();
        if (!HasFailure()) fs::remove_all(dir_);
    }
    ServerProcess& start_server(std::vector<std::string> args = {}) {
        server_ = std::make_unique<ServerProcess>(dir_ / "data", std::move(args));
        server_->start();
        return *server_;
    }
    fs::path dir_;
    std::unique_ptr<ServerProcess> server_;
};

// Import photos-multi into the local data folder, serve it: a search with each person's photo finds that
// person; a re-run of the import through the HTTP API (/register/batch) adds nothing.
TEST_F(GalleryTest, ImportThenSearchFindsEveryoneAndARerunAddsNothing) {
    FACEID_REQUIRE_TEST_DATA(shared);
    const fs::path source = shared / "photos-multi";
    // At most 3 templates per person, so that the import has to drop some (13 people, 61 photos).
    const fs::path config = dir_ / "config.json";
    std::ofstream(config) << R"({"max_templates": 3})";
    const auto [status, output] = run_faceid_logged(
        {"import", source.string(), "--data", (dir_ / "data").string(), "--config", config.string(),
         "--models", models_dir().string(), "--quiet", "--rejects", (dir_ / "rejected.csv").string()},
        dir_ / "import1.txt");
    ASSERT_EQ(status, 0) << output;
    auto first = import_figures(output);
    ASSERT_GT(first["done"], 0) << output;
    EXPECT_EQ(first["created"], 13) << output;
    EXPECT_EQ(first["done"], first["created"] + first["added"] + first["rejected"]) << output;
    if (first["rejected"] > 0) {
        EXPECT_TRUE(fs::exists(dir_ / "rejected.csv"));
    }

    auto& server = start_server({"--config", config.string()});
    auto http = server.client();
    auto list = get_json(http, "/persons?limit=100");
    ASSERT_EQ(list.status, 200);
    std::map<std::string, std::string> person_of;  // folder name -> id
    for (const auto& p : list.body["persons"]) person_of[p["name"]] = p["id"];
    ASSERT_EQ(person_of.size(), 13u);
    const auto faces_before = get_json(http, "/readyz").body["faces"].get<int>();
    EXPECT_LE(faces_before, 13 * 3);
    EXPECT_LT(faces_before, first["created"] + first["added"]) << "the limit dropped no template";
    // Photos the import refused (a gate, or no face in the photo that matches the person).
    std::set<std::string> refused;
    if (std::ifstream rejects(dir_ / "rejected.csv"); rejects)
        for (std::string line; std::getline(rejects, line);) {
            const fs::path path = line.substr(0, line.find(','));
            refused.insert(path.parent_path().filename().string() + "/" + path.filename().string());
        }
    for (const auto& [name, id] : person_of) {
        EXPECT_EQ(get_json(http, "/persons/" + id).body["external_id"], name);
        auto photos = photos_of(source / name);
        while (photos.size() > 1 && refused.count(name + "/" + photos.back().filename().string()))
            photos.pop_back();  // search with the last photo that was imported
        // Every face: a photo may show the person with someone else (p13/img41: the largest face is not
        // p13's, and the import added the face that matches p13).
        auto r = post_multipart(http, "/search", {photo_part(photos.back()), text_part("all_faces", "true")});
        ASSERT_EQ(r.status, 200) << r.raw;
        bool found = false;
        for (const auto& face : r.body["results"])
            found = found || (!face["match"].is_null() && face["match"]["person"]["id"] == id);
        EXPECT_TRUE(found) << name << ": " << r.raw;
    }

    const auto [status2, output2] = run_faceid_logged(
        {"import", source.string(), "--url", "http://127.0.0.1:" + std::to_string(server.port()), "--quiet",
         "--rejects", (dir_ / "rejected2.csv").string()},
        dir_ / "import2.txt");
    ASSERT_EQ(status2, 0) << output2;
    auto second = import_figures(output2);
    EXPECT_EQ(second["done"], first["done"]) << output2;
    EXPECT_EQ(second["created"], 0) << output2;
    EXPECT_EQ(second["added"], 0) << output2;
    EXPECT_EQ(second["skipped"], first["created"] + first["added"]) << output2;
    EXPECT_EQ(get_json(http, "/readyz").body["faces"].get<int>(), faces_before);
    EXPECT_EQ(get_json(http, "/persons?limit=100").body["persons"].size(), 13u);
}

// A second registration of the same face as a new person is refused with 409 and the other person's id;
// allow_duplicate=true registers it anyway, and /admin/duplicates then lists the pair. A batch answers
// each item on its own.
TEST_F(GalleryTest, SameFaceAsANewPersonIsAPossibleDuplicate) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start_server();
    auto http = server.client();
    const auto photos = photos_of(shared / "photos-multi/p03");
    auto first = post_multipart(http, "/register", {photo_part(photos[0]), text_part("name", "Original")});
    ASSERT_EQ(first.status, 201) << first.raw;
    const std::string original = first.body["person"]["id"];

    // The same photo, and a mirrored, smaller copy of it (other bytes, the same face).
    cv::Mat image = cv::imread(photos[0].string()), mirrored;
    cv::flip(image, mirrored, 1);
    cv::resize(mirrored, mirrored, cv::Size(), 0.7, 0.7);
    std::vector<uchar> mirrored_jpeg;
    cv::imencode(".jpg", mirrored, mirrored_jpeg);
    const std::vector<Part> variants = {
        photo_part(photos[0]),
        {"photo", std::string(mirrored_jpeg.begin(), mirrored_jpeg.end()), "m.jpg", "image/jpeg"}};
    for (const auto& variant : variants) {
        auto again = post_multipart(http, "/register", {variant, text_part("name", "Impostor")});
        ASSERT_EQ(again.status, 409) << again.raw;
        EXPECT_EQ(again.body["error"]["code"], "possible_duplicate");
        EXPECT_EQ(again.body["error"]["details"]["person_id"], original);
        EXPECT_GE(again.body["error"]["details"]["similarity"].get<double>(), 0.6);
    }
    EXPECT_EQ(get_json(http, "/persons?limit=10").body["persons"].size(), 1u);

    auto allowed = post_multipart(
        http, "/register", {variants[1], text_part("name", "Twin"), text_part("allow_duplicate", "true")});
    ASSERT_EQ(allowed.status, 201) << allowed.raw;
    const std::string twin = allowed.body["person"]["id"];
    auto other = post_multipart(
        http, "/register",
        {photo_part(photos_of(shared / "photos-multi/p05")[0]), text_part("name", "Someone else")});
    ASSERT_EQ(other.status, 201) << other.raw;

    auto duplicates = get_json(http, "/admin/duplicates");
    ASSERT_EQ(duplicates.status, 200) << duplicates.raw;
    ASSERT_EQ(duplicates.body["pairs"].size(), 1u) << duplicates.raw;
    const auto& pair = duplicates.body["pairs"][0];
    EXPECT_EQ((std::set<std::string>{pair["a"]["id"], pair["b"]["id"]}),
              (std::set<std::string>{original, twin}));

    // Batch: a new person, a duplicate, and something that is not a photo.
    auto batch = post_multipart(
        http, "/register/batch",
        {photo_part(photos_of(shared / "photos-multi/p07")[0], "photos"),
         photo_part(photos[0], "photos"),
         {"photos", "not a photo at all", "x.jpg", "image/jpeg"},
         text_part("items", R"([{"name": "Batch new"}, {"name": "Batch dup"}, {"name": "Batch junk"}])")});
    ASSERT_EQ(batch.status, 200) << batch.raw;
    ASSERT_EQ(batch.body["results"].size(), 3u);
    EXPECT_EQ(batch.body["results"][0]["status"], 201) << batch.raw;
    EXPECT_EQ(batch.body["results"][0]["person"]["name"], "Batch new");
    EXPECT_EQ(batch.body["results"][1]["error"]["code"], "possible_duplicate");
    EXPECT_EQ(batch.body["results"][2]["error"]["code"], "not_an_image");
    EXPECT_EQ(batch.body["created"], 1);
    EXPECT_EQ(batch.body["failed"], 2);
}

// With a policy (at most 3 templates, templates older than 30 days go except the best one), the clean-up
// removes exactly the templates it reports (the dry run reports the same and removes nothing), never a
// primary, and deletes their files.
TEST_F(GalleryTest, CleanupRemovesExactlyWhatItReportsAndNeverAPrimary) {
    FACEID_REQUIRE_TEST_DATA(shared);
    const fs::path config = dir_ / "config.json";
    std::ofstream(config)
        << R"({"max_templates": 20, "retention": {"max_templates": 3, "max_age_days": 30, "keep_best": 1}})";
    auto& server = start_server({"--config", config.string()});
    auto http = server.client();

    std::vector<std::string> people;
    for (const char* folder : {"p01", "p02"}) {
        std::string id;
        for (const auto& photo : photos_of(shared / "photos-multi" / folder)) {
            std::vector<Part> parts = {photo_part(photo), text_part("name", folder)};
            if (!id.empty()) parts.push_back(text_part("person_id", id));
            auto r = post_multipart(http, "/register", parts);
            if (r.status == 201) id = r.body["person"]["id"];
        }
        ASSERT_FALSE(id.empty());
        people.push_back(id);
    }
    std::map<std::string, nlohmann::json> before;
    for (const auto& id : people) before[id] = get_json(http, "/persons/" + id).body;
    ASSERT_GT(before[people[0]]["faces"].size(), 3u) << "p01 needs more than 3 photos for this test";

    // Age two non-primary templates of p02 by 100 days, straight in the database.
    std::vector<std::string> aged;
    for (const auto& f : before[people[1]]["faces"])
        if (!f["primary"].get<bool>() && aged.size() < 2) aged.push_back(f["id"]);
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((dir_ / "data/faceid.db").c_str(), &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        for (const auto& id : aged) {
            const std::string sql =
                "UPDATE faces SET created_at = created_at - 8640000000 WHERE id = '" + id + "'";
            ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        }
        sqlite3_close(db);
    }

    auto dry = post_empty(http, "/admin/cleanup?dry_run=true");
    ASSERT_EQ(dry.status, 200) << dry.raw;
    EXPECT_TRUE(dry.body["dry_run"].get<bool>());
    for (const auto& id : people)
        EXPECT_EQ(face_ids(get_json(http, "/persons/" + id).body), face_ids(before[id]));

    auto run = post_empty(http, "/admin/cleanup");
    ASSERT_EQ(run.status, 200) << run.raw;
    EXPECT_FALSE(run.body["dry_run"].get<bool>());
    EXPECT_EQ(run.body["templates"], dry.body["templates"]) << "the dry run reports what the run removes";

    std::set<std::string> reported;
    for (const auto& t : run.body["templates"]) reported.insert(t["face_id"].get<std::string>());
    EXPECT_EQ(run.body["templates_removed"].get<size_t>(), reported.size());
    std::set<std::string> actually_removed;
    for (const auto& id : people) {
        const auto after = get_json(http, "/persons/" + id).body;
        EXPECT_EQ(after["primary_face_id"], before[id]["primary_face_id"]) << "a primary was changed";
        EXPECT_LE(after["faces"].size(), 3u);
        for (const auto& f : face_ids(before[id]))
            if (!face_ids(after).count(f)) actually_removed.insert(f);
        EXPECT_FALSE(reported.count(before[id]["primary_face_id"].get<std::string>()));
    }
    EXPECT_EQ(reported, actually_removed);
    for (const auto& id : aged) EXPECT_TRUE(reported.count(id)) << "aged template " << id << " kept";
    EXPECT_GT(run.body["bytes_reclaimed"].get<double>(), 0);
    for (const auto& f : reported) {
        auto crop = http.Get(("/faces/" + f + "/crop").c_str());
        ASSERT_TRUE(crop);
        EXPECT_EQ(crop->status, 404);
    }
    // Nothing left to do: a second run removes nothing.
    EXPECT_EQ(post_empty(http, "/admin/cleanup").body["templates_removed"], 0);
}

// /detect on the group photos finds every face (3 to 5 per photo, see the data README), each with box,
// landmarks, quality, liveness and attributes.
TEST_F(GalleryTest, DetectOnGroupPhotosReturnsEveryFaceWithLivenessAndAttributes) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto& server = start_server();
    auto http = server.client();
    for (const auto& photo : photos_of(shared / "photos-group")) {
        auto r = post_multipart(http, "/detect", {photo_part(photo)});
        ASSERT_EQ(r.status, 200) << r.raw;
        const auto& faces = r.body["faces"];
        EXPECT_GE(faces.size(), 3u) << photo;
        EXPECT_LE(faces.size(), 5u) << photo;
        for (const auto& f : faces) {
            EXPECT_EQ(f["box"].size(), 4u);
            EXPECT_EQ(f["landmarks"].size(), 5u);
            const double live = f["liveness"]["score"];
            EXPECT_TRUE(live >= 0 && live <= 1);
            EXPECT_EQ(f["quality"]["liveness"], f["liveness"]["score"]);
            EXPECT_EQ(f["liveness"]["probabilities"].size(), 3u);
            const double age = f["attributes"]["age"];
            EXPECT_TRUE(age > 0 && age < 101) << age;
            EXPECT_TRUE(f["attributes"]["gender"] == "male" || f["attributes"]["gender"] == "female");
        }
    }
}

}  // namespace
}  // namespace faceid::testing
