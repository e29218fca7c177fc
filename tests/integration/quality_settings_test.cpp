// The quality-gate limits are settings (quality.* in the settings table), read by the real server: a
// limit raised through the environment refuses a photo the defaults accept, with the named reason.
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

TEST(QualitySettingsTest, GateLimitsComeFromTheSettings) {
    FACEID_REQUIRE_TEST_DATA(shared);
    const fs::path dir = make_temp_dir("faceid-quality-settings");
    const fs::path photo = photos_of(shared / "photos-multi/p01").front();
    {
        ServerProcess strict(
            dir / "strict", {}, false,
            {{"FACEID_WORKERS", "1"}, {"FACEID_MIN_FACE_PX", "5000"}, {"FACEID_MAX_YAW", "0"}});
        strict.start();
        auto http = strict.client();
        auto refused = post_multipart(http, "/register", {photo_part(photo), text_part("name", "Ada")});
        ASSERT_EQ(refused.status, 422) << refused.raw;
        EXPECT_EQ(refused.body["error"]["code"], "quality_gate_failed");
        const auto& reasons = refused.body["error"]["details"]["reasons"];
        EXPECT_NE(std::find(reasons.begin(), reasons.end(), "SMALL_FACE"), reasons.end()) << refused.raw;
        EXPECT_NE(std::find(reasons.begin(), reasons.end(), "EXTREME_POSE"), reasons.end()) << refused.raw;
    }
    {
        ServerProcess defaults(dir / "defaults", {}, false, {{"FACEID_WORKERS", "1"}});
        defaults.start();
        auto http = defaults.client();
        auto accepted = post_multipart(http, "/register", {photo_part(photo), text_part("name", "Ada")});
        EXPECT_EQ(accepted.status, 201) << accepted.raw;
    }
    auto bad = run_faceid({"config", "--data", (dir / "x").string()}, 20);
    EXPECT_EQ(bad.exit_code, 0) << bad.output;
    EXPECT_NE(bad.output.find("quality.min_sharpness"), std::string::npos) << bad.output;
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace faceid::testing
