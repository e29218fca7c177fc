// The 1:N decision and identity integrity through the real server with API keys: the threshold a search
// uses follows the gallery's size, a searcher cannot lower it below the floor, and a photo added to a
// person must show that person.
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

class OpenSetTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = make_temp_dir("faceid-openset");
        server_ =
            std::make_unique<ServerProcess>(root_ / "data", std::vector<std::string>{"--rate-limit", "0"},
                                            /*auth=*/true);
        server_->start();
        admin_ = server_->bootstrap_key();
        operator_ = create_key(root_ / "data", "operator", "operator");
        searcher_ = create_key(root_ / "data", "searcher", "searcher");
    }
    void TearDown() override {
        server_.reset();
        if (!HasFailure()) fs::remove_all(root_);
    }
    httplib::Client client(const std::string& key) {
        auto http = server_->client();
        http.set_default_headers({{"Authorization", "Bearer " + key}});
        return http;
    }
    // Registers the first photo of photos-multi/<folder> that passes the gates; returns the person id.
    std::string enrol(const fs::path& shared, const std::string& folder, std::vector<Part> extra = {}) {
        auto http = client(operator_);
        for (const auto& photo : photos_of(shared / "photos-multi" / folder)) {
            std::vector<Part> parts = {photo_part(photo), text_part("name", folder),
                                       text_part("allow_duplicate", "true")};
            parts.insert(parts.end(), extra.begin(), extra.end());
            auto r = post_multipart(http, "/register", parts);
            if (r.status == 201) return r.body["person"]["id"];
        }
        ADD_FAILURE() << "no photo of " << folder << " passed the gates";
        return "";
    }
    fs::path root_;
    std::unique_ptr<ServerProcess> server_;
    std::string admin_, operator_, searcher_;
};

TEST_F(OpenSetTest, ThresholdFollowsTheGallerySizeAndOnlyAnAdminGoesBelowTheFloor) {
    FACEID_REQUIRE_TEST_DATA(shared);
    const fs::path probe = photos_of(shared / "photos-multi/p01").back();
    enrol(shared, "p01");
    auto searcher = client(searcher_);
    auto first = post_multipart(searcher, "/search", {photo_part(probe)});
    ASSERT_EQ(first.status, 200) << first.raw;
    const auto& one = first.body["decision"];
    EXPECT_EQ(one["basis"], "target_fpir");
    EXPECT_EQ(one["gallery_templates"], 1);
    EXPECT_DOUBLE_EQ(one["target_fpir"].get<double>(), 0.01);
    EXPECT_EQ(first.body["results"][0]["decision"], one);
    const double small_threshold = one["threshold"];

    for (const char* folder : {"p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09"}) enrol(shared, folder);
    auto later = post_multipart(searcher, "/search", {photo_part(probe)});
    ASSERT_EQ(later.status, 200) << later.raw;
    EXPECT_EQ(later.body["decision"]["gallery_templates"], 9);
    EXPECT_GT(later.body["decision"]["threshold"].get<double>(), small_threshold + 0.02);
    // The person is still found, as a match above the decision's threshold with a probability.
    const auto& match = later.body["results"][0]["match"];
    ASSERT_FALSE(match.is_null()) << later.raw;
    EXPECT_EQ(match["person"]["name"], "p01");
    EXPECT_FALSE(match["below_threshold"].get<bool>());
    EXPECT_GE(match["similarity"].get<double>(), later.body["decision"]["threshold"].get<double>());
    EXPECT_GT(match["percentage"].get<double>(), 50.0);
    EXPECT_LE(match["percentage"].get<double>(), 100.0);

    // A searcher may be stricter, or looser down to the floor, but cannot list the gallery below it.
    auto strict = post_multipart(searcher, "/search", {photo_part(probe), text_part("threshold", "0.99")});
    ASSERT_EQ(strict.status, 200) << strict.raw;
    EXPECT_EQ(strict.body["decision"]["basis"], "requested");
    EXPECT_TRUE(strict.body["results"][0]["match"].is_null());
    for (const auto& c : strict.body["results"][0]["candidates"])
        EXPECT_TRUE(c["below_threshold"].get<bool>());
    auto everyone = post_multipart(
        searcher, "/search", {photo_part(probe), text_part("threshold", "-1"), text_part("top_k", "100")});
    EXPECT_EQ(everyone.status, 403) << everyone.raw;
    EXPECT_EQ(everyone.body["error"]["code"], "threshold_below_floor");
    EXPECT_DOUBLE_EQ(everyone.body["error"]["details"]["floor"].get<double>(), 0.333);
    // An admin may.
    auto admin = client(admin_);
    auto all = post_multipart(admin, "/search",
                              {photo_part(probe), text_part("threshold", "-1"), text_part("top_k", "100")});
    ASSERT_EQ(all.status, 200) << all.raw;
    EXPECT_EQ(all.body["results"][0]["candidates"].size(), 9u);
    // Without a requested threshold, candidates below the decision are listed down to the floor, flagged.
    for (const auto& c : later.body["results"][0]["candidates"]) {
        EXPECT_GE(c["similarity"].get<double>(), 0.333 - 1e-4);
        EXPECT_EQ(c["below_threshold"].get<bool>(),
                  c["similarity"].get<double>() < later.body["decision"]["threshold"].get<double>());
    }
}

TEST_F(OpenSetTest, APhotoAddedToAPersonMustShowThatPerson) {
    FACEID_REQUIRE_TEST_DATA(shared);
    const std::string ada = enrol(shared, "p01", {text_part("external_id", "emp-1")});
    ASSERT_FALSE(ada.empty());
    const auto own = photos_of(shared / "photos-multi/p01");
    const auto other = photos_of(shared / "photos-multi/p02");
    auto operator_http = client(operator_);

    // Someone else's face, by person_id and by external_id: refused, nothing stored.
    auto by_id =
        post_multipart(operator_http, "/register", {photo_part(other.front()), text_part("person_id", ada)});
    EXPECT_EQ(by_id.status, 409) << by_id.raw;
    EXPECT_EQ(by_id.body["error"]["code"], "face_mismatch");
    EXPECT_LT(by_id.body["error"]["details"]["similarity"].get<double>(), 0.333);
    auto by_external = post_multipart(
        operator_http, "/register",
        {photo_part(other.front()), text_part("external_id", "emp-1"), text_part("name", "p01")});
    EXPECT_EQ(by_external.status, 409) << by_external.raw;
    EXPECT_EQ(by_external.body["error"]["code"], "face_mismatch");
    auto person = get_json(operator_http, "/persons/" + ada);
    ASSERT_EQ(person.status, 200);
    EXPECT_EQ(person.body["face_count"], 1) << person.raw;

    // The person's own other photo is accepted.
    auto same =
        post_multipart(operator_http, "/register", {photo_part(own.back()), text_part("person_id", ada)});
    EXPECT_EQ(same.status, 201) << same.raw;

    // Only an admin may force a mismatched face, and that is audited on its own.
    auto forced_by_operator = post_multipart(
        operator_http, "/register",
        {photo_part(other.front()), text_part("person_id", ada), text_part("allow_mismatch", "true")});
    EXPECT_EQ(forced_by_operator.status, 403) << forced_by_operator.raw;
    auto admin = client(admin_);
    auto forced = post_multipart(
        admin, "/register",
        {photo_part(other.front()), text_part("person_id", ada), text_part("allow_mismatch", "true")});
    ASSERT_EQ(forced.status, 201) << forced.raw;
    auto audit = get_json(admin, "/audit?action=register.mismatch_forced");
    ASSERT_EQ(audit.status, 200) << audit.raw;
    ASSERT_EQ(audit.body["entries"].size(), 1u) << audit.raw;
    EXPECT_EQ(audit.body["entries"][0]["subject_ids"][0], ada);
    EXPECT_EQ(audit.body["entries"][0]["result_ids"][0], forced.body["face"]["id"]);
}

// photos-multi/p13/img41.jpg shows p13 with someone whose face is larger: added to p13, the photo
// contributes p13's face (found by its match to p13's templates), not the largest one.
TEST_F(OpenSetTest, APhotoWithSeveralFacesAddsTheFaceThatMatchesThePerson) {
    FACEID_REQUIRE_TEST_DATA(shared);
    const fs::path pair_photo = shared / "photos-multi/p13/img41.jpg";
    ASSERT_TRUE(fs::exists(pair_photo));
    const std::string p13 = enrol(shared, "p13");
    ASSERT_FALSE(p13.empty());
    auto http = client(operator_);
    auto added = post_multipart(http, "/register", {photo_part(pair_photo), text_part("person_id", p13)});
    ASSERT_EQ(added.status, 201) << added.raw;
    EXPECT_GE(added.body["faces_seen"].get<int>(), 2);
    EXPECT_NE(added.body["face_index"], 0) << "the largest face is not p13's";
    // Naming the largest face explicitly is refused: it does not match p13.
    auto largest =
        post_multipart(http, "/register",
                       {photo_part(pair_photo), text_part("person_id", p13), text_part("face_index", "0")});
    EXPECT_EQ(largest.status, 409) << largest.raw;
    EXPECT_EQ(largest.body["error"]["code"], "face_mismatch");
}

}  // namespace
}  // namespace faceid::testing
