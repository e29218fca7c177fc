// `faceid search --batch DIR` against the real binary and a real data folder: people imported from
// photos-multi are found by their other photos, a stranger is unknown, an unreadable photo gets an error
// line, and the throughput and speed-up lines are printed.
#include "integration/server_process.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> jpgs_in(const fs::path& dir) {
    std::vector<fs::path> photos;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".jpg") photos.push_back(e.path());
    std::sort(photos.begin(), photos.end());
    return photos;
}

TEST(SearchBatchCommand, FindsEachPersonByAnotherPhotoAndReportsStrangersUnknown) {
    FACEID_REQUIRE_TEST_DATA(shared);
    const fs::path dir = make_temp_dir("faceid-search-batch-it");
    const fs::path people = dir / "people", queries = dir / "queries", data = dir / "data";
    // Four people registered from all their photos but the first; the first is the query. A fifth person is
    // never registered (the stranger).
    const std::vector<std::string> registered = {"p01", "p02", "p03", "p04"};
    std::map<std::string, std::string> expected;  // query file name -> person name ("" for unknown)
    for (const auto& person : registered) {
        const auto photos = jpgs_in(shared / "photos-multi" / person);
        ASSERT_GE(photos.size(), 3u) << person;
        fs::create_directories(people / person);
        for (size_t i = 1; i < photos.size(); ++i)
            fs::copy_file(photos[i], people / person / photos[i].filename());
        fs::create_directories(queries);
        fs::copy_file(photos[0], queries / (person + ".jpg"));
        expected[person + ".jpg"] = person;
    }
    fs::copy_file(jpgs_in(shared / "photos-multi" / "p13").at(0), queries / "stranger.jpg");
    expected["stranger.jpg"] = "";
    std::ofstream(queries / "broken.jpg") << "not a photo";

    const auto imported =
        run_faceid({"import", people.string(), "--data", data.string(), "--models", models_dir().string(),
                    "--quiet", "--rejects", (dir / "rejects.csv").string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    ASSERT_NE(imported.output.find("created=4"), std::string::npos) << imported.output;

    const auto searched =
        run_faceid({"search", "--batch", queries.string(), "--data", data.string(), "--models",
                    models_dir().string(), "--batch-size", "4", "--compare-single"});
    ASSERT_EQ(searched.exit_code, 0) << searched.output;
    std::istringstream lines(searched.output);
    std::map<std::string, nlohmann::json> by_file;
    std::string line, stats;
    while (std::getline(lines, line)) {
        if (line.rfind("{", 0) == 0)
            by_file[fs::path(nlohmann::json::parse(line).at("file").get<std::string>()).filename().string()] =
                nlohmann::json::parse(line);
        else
            stats += line + "\n";
    }
    ASSERT_EQ(by_file.size(), expected.size() + 1) << searched.output;
    for (const auto& [file, person] : expected) {
        const auto& result = by_file.at(file);
        ASSERT_TRUE(result.contains("results")) << result.dump();
        ASSERT_EQ(result["results"].size(), 1u) << result.dump();
        const auto& match = result["results"][0]["match"];
        if (person.empty()) {
            EXPECT_TRUE(match.is_null()) << "stranger matched: " << result.dump();
            for (const auto& c : result["results"][0]["candidates"])
                EXPECT_TRUE(c["below_threshold"].get<bool>()) << result.dump();
        } else {
            ASSERT_FALSE(match.is_null()) << file << ": " << result.dump();
            EXPECT_EQ(match["person"]["name"], person) << result.dump();
            EXPECT_GE(match["similarity"].get<double>(), result["threshold"].get<double>());
        }
    }
    EXPECT_EQ(by_file.at("broken.jpg")["error"]["code"].get<std::string>().empty(), false)
        << by_file.at("broken.jpg").dump();
    EXPECT_FALSE(by_file.at("broken.jpg").contains("results"));
    // Throughput of both ways, and the same best matches either way.
    EXPECT_NE(stats.find("search --batch: 6 photos"), std::string::npos) << stats;
    EXPECT_NE(stats.find("batch speed-up"), std::string::npos) << stats;
    EXPECT_NE(stats.find("differ: 0"), std::string::npos) << stats;
    if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace faceid::testing
