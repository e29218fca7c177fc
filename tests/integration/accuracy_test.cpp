// Verification accuracy of the whole pipeline through the `faceid eval` command on LFW pairsDevTest
// (1000 pairs). The floor (98.5%) sits below the measured 99.2% so that the test catches a broken
// pipeline (wrong channel order, bad alignment, unnormalised embeddings), not noise.
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>

namespace faceid::testing {
namespace {

std::map<std::string, std::string> last_key_values(const std::string& output) {
    std::map<std::string, std::string> values;
    std::istringstream lines(output);
    std::string line, last;
    while (std::getline(lines, line))
        if (line.rfind("eval ", 0) == 0) last = line;
    std::istringstream fields(last);
    std::string field;
    while (fields >> field)
        if (auto eq = field.find('='); eq != std::string::npos)
            values[field.substr(0, eq)] = field.substr(eq + 1);
    return values;
}

TEST(Accuracy, LfwDevTestAboveFloor) {
    FACEID_REQUIRE_TEST_DATA(data);
    const std::string command = std::string(FACEID_BINARY) + " eval --models " + models_dir().string() +
                                " --pairs " + (data / "lfw/pairsDevTest.txt").string() + " --root " +
                                (data / "lfw").string() + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    ASSERT_EQ(pclose(pipe), 0) << output;
    const auto values = last_key_values(output);
    ASSERT_TRUE(values.count("accuracy")) << output;
    EXPECT_EQ(values.at("pairs"), "1000");
    EXPECT_GE(std::stod(values.at("accuracy")), 0.985) << output;
    EXPECT_LE(std::stoi(values.at("no_face")), 2) << output;
    std::printf("%s", output.c_str());
}

}  // namespace
}  // namespace faceid::testing
