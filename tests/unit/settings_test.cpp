// The one settings table (app/settings.h): precedence, identical parsing in every source, bounds, unknown
// keys, and README.md's settings table listing exactly the table's rows.
#include "app/settings.h"

#include "core/error.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace faceid::app {
namespace {

namespace fs = std::filesystem;

size_t row_index(const std::string& key) {
    const auto& table = settings();
    for (size_t i = 0; i < table.size(); ++i)
        if (table[i].key == key) return i;
    ADD_FAILURE() << "no setting " << key;
    return 0;
}

// Clears every FACEID_* variable of the table for the test and restores the previous values afterwards.
class SettingsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = testing::make_temp_dir("faceid-settings-test");
        for (const auto& row : settings()) {
            if (row.env.empty()) continue;
            if (const char* value = std::getenv(row.env.c_str())) saved_[row.env] = value;
            ::unsetenv(row.env.c_str());
        }
    }
    void TearDown() override {
        for (const auto& row : settings())
            if (!row.env.empty()) ::unsetenv(row.env.c_str());
        for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
        fs::remove_all(dir_);
    }

    std::string write_config(const std::string& json) {
        const auto path = dir_ / ("config" + std::to_string(++files_) + ".json");
        std::ofstream(path) << json;
        return path.string();
    }

    // Resolves with a config file (if any), the current environment and the given command line.
    ResolvedConfig resolve(const std::string& file, const std::string& command_line) {
        SettingFlags flags;
        CLI::App app;
        flags.add_to(app);
        app.parse(command_line + (file.empty() ? "" : " --config " + file), false);
        return resolve_config(flags.config_file, &flags);
    }

    // The message of the Error resolve() throws, or "" if it does not throw.
    std::string refusal(const std::string& file, const std::string& command_line) {
        try {
            resolve(file, command_line);
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kInvalidField) << e.what();
            return e.what();
        }
        return "";
    }

    fs::path dir_;
    int files_ = 0;
    std::map<std::string, std::string> saved_;
};

TEST_F(SettingsTest, DefaultsComeFromTheTable) {
    const AppConfig config;
    EXPECT_EQ(config.host, "127.0.0.1");
    EXPECT_EQ(config.port, 8000);
    EXPECT_EQ(config.max_templates, 10);
    EXPECT_DOUBLE_EQ(config.duplicate_threshold, 0.6);
    EXPECT_DOUBLE_EQ(config.live_threshold, 0.5);
    EXPECT_DOUBLE_EQ(config.target_fpir, 0.01);
    EXPECT_DOUBLE_EQ(config.threshold_floor, 0.333);
    EXPECT_FALSE(config.threshold);
    EXPECT_TRUE(config.flip_average);
    EXPECT_TRUE(config.auth);
    EXPECT_EQ(config.storage, "sqlite");
    EXPECT_EQ(config.retention.keep_best, 1);
    for (const auto& row : settings()) EXPECT_EQ(row.show(config), row.default_text) << row.key;
    const auto resolved = resolve("", "");
    for (auto source : resolved.sources) EXPECT_EQ(source, SettingSource::kDefault);
}

TEST_F(SettingsTest, RowsNameEachKeyEnvironmentVariableAndFlagOnce) {
    std::map<std::string, int> seen;
    for (const auto& row : settings()) {
        EXPECT_EQ(++seen["key " + row.key], 1) << row.key;
        for (const auto& alias : row.aliases) EXPECT_EQ(++seen["key " + alias], 1) << alias;
        if (!row.env.empty()) {
            EXPECT_EQ(++seen[row.env], 1) << row.env;
            EXPECT_EQ(row.env.rfind("FACEID_", 0), 0u) << row.env;
        }
        if (!row.flag.empty()) {
            EXPECT_EQ(++seen[row.flag], 1) << row.flag;
        }
        EXPECT_FALSE(row.help.empty()) << row.key;
    }
}

TEST_F(SettingsTest, PrecedenceIsDefaultThenFileThenEnvironmentThenFlag) {
    const auto file = write_config(R"({"port": 1001, "host": "10.0.0.1", "rate_limit_per_second": 5,
                                       "max_templates": 3})");
    ::setenv("FACEID_PORT", "1002", 1);
    ::setenv("FACEID_RATE_LIMIT", "6", 1);
    const auto resolved = resolve(file, "--port 1003");
    EXPECT_EQ(resolved.config.port, 1003);
    EXPECT_EQ(resolved.sources[row_index("port")], SettingSource::kFlag);
    EXPECT_DOUBLE_EQ(resolved.config.rate_limit_per_second, 6);
    EXPECT_EQ(resolved.sources[row_index("rate_limit_per_second")], SettingSource::kEnvironment);
    EXPECT_EQ(resolved.config.host, "10.0.0.1");
    EXPECT_EQ(resolved.sources[row_index("host")], SettingSource::kFile);
    EXPECT_EQ(resolved.config.max_templates, 3);
    EXPECT_EQ(resolved.config.data_dir, "data");
    EXPECT_EQ(resolved.sources[row_index("data_dir")], SettingSource::kDefault);
    // load_config (import, cleanup, keys, search): file and environment, no flags.
    const AppConfig loaded = load_config(file);
    EXPECT_EQ(loaded.port, 1002);
    EXPECT_EQ(loaded.max_templates, 3);
}

TEST_F(SettingsTest, NoAuthIsAFlagOnly) {
    EXPECT_FALSE(resolve("", "--no-auth").config.auth);
    EXPECT_TRUE(resolve("", "").config.auth);
    EXPECT_NE(refusal(write_config(R"({"auth": false})"), ""), "");
}

TEST_F(SettingsTest, BooleansParseTheSameInFileEnvironmentAndFlag) {
    const std::map<std::string, bool> accepted = {
        {"true", true}, {"false", false}, {"1", true}, {"0", false}};
    for (const auto& [text, expected] : accepted) {
        // The file holds JSON true/false/1/0.
        EXPECT_EQ(resolve(write_config("{\"require_live\": " + text + "}"), "").config.require_live, expected)
            << text;
        ::setenv("FACEID_REQUIRE_LIVE", text.c_str(), 1);
        EXPECT_EQ(resolve("", "").config.require_live, expected) << text;
        ::unsetenv("FACEID_REQUIRE_LIVE");
        EXPECT_EQ(resolve("", "--require-live=" + text).config.require_live, expected) << text;
        ::setenv("FACEID_FLIP_AVERAGE", text.c_str(), 1);
        EXPECT_EQ(resolve("", "").config.flip_average, expected) << text;
        ::unsetenv("FACEID_FLIP_AVERAGE");
    }
    EXPECT_TRUE(resolve("", "--require-live").config.require_live);  // a switch: no value means true
    for (const std::string text : {"yes", "no", "TRUE", "on", "2", "true1", "-1"}) {
        ::setenv("FACEID_REQUIRE_LIVE", text.c_str(), 1);
        const auto env_message = refusal("", "");
        EXPECT_NE(env_message.find("require_live"), std::string::npos) << text;
        EXPECT_NE(env_message.find("FACEID_REQUIRE_LIVE"), std::string::npos) << env_message;
        ::unsetenv("FACEID_REQUIRE_LIVE");
        const auto flag_message = refusal("", "--require-live=" + text);
        EXPECT_NE(flag_message.find("--require-live"), std::string::npos) << text << ": " << flag_message;
    }
    for (const std::string json : {"2", "\"true\"", "1.0", "null"}) {
        const auto message = refusal(write_config("{\"require_live\": " + json + "}"), "");
        EXPECT_NE(message.find("require_live"), std::string::npos) << json << ": " << message;
    }
}

TEST_F(SettingsTest, InvalidNumbersAreRefusedNamingTheSettingAndSource) {
    for (const std::string text : {"80x", "", "8000.5", "0x10", "1e3", "99999999999999999999", "nan"}) {
        if (text.empty()) continue;  // an empty variable counts as unset
        ::setenv("FACEID_PORT", text.c_str(), 1);
        const auto message = refusal("", "");
        EXPECT_NE(message.find("port"), std::string::npos) << text;
        EXPECT_NE(message.find("FACEID_PORT"), std::string::npos) << message;
        ::unsetenv("FACEID_PORT");
    }
    for (const std::string text : {"nan", "inf", "-inf", "20abc", "1e999", "abc", "0.5.1"}) {
        ::setenv("FACEID_RATE_LIMIT", text.c_str(), 1);
        const auto message = refusal("", "");
        EXPECT_NE(message.find("rate_limit_per_second"), std::string::npos) << text << ": " << message;
        EXPECT_NE(message.find("FACEID_RATE_LIMIT"), std::string::npos) << message;
        ::unsetenv("FACEID_RATE_LIMIT");
        const auto flag_message = refusal("", "--rate-limit=" + text);
        EXPECT_NE(flag_message.find("--rate-limit"), std::string::npos) << text << ": " << flag_message;
    }
    ::setenv("FACEID_THRESHOLD", "0.4abc", 1);  // strtod read this as 0.4 before
    EXPECT_NE(refusal("", "").find("threshold"), std::string::npos);
    ::unsetenv("FACEID_THRESHOLD");
    const auto file_message = refusal(write_config(R"({"port": 8000.5})"), "");
    EXPECT_NE(file_message.find("port"), std::string::npos) << file_message;
    EXPECT_NE(file_message.find("config file"), std::string::npos) << file_message;
    EXPECT_NE(refusal(write_config(R"({"port": "8000"})"), "").find("port"), std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"host": 5})"), "").find("host"), std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"threshold": "high"})"), "").find("threshold"), std::string::npos);
}

TEST_F(SettingsTest, BoundsAreCheckedInEverySource) {
    EXPECT_DOUBLE_EQ(resolve("", "--target-fpir 0.0001").config.target_fpir, 0.0001);
    EXPECT_DOUBLE_EQ(resolve("", "--target-fpir 0.5").config.target_fpir, 0.5);
    EXPECT_NE(refusal("", "--target-fpir 0.00001").find("out of range"), std::string::npos);
    EXPECT_NE(refusal("", "--target-fpir 0.6").find("target_fpir"), std::string::npos);
    ::setenv("FACEID_THRESHOLD_FLOOR", "-1.5", 1);
    EXPECT_NE(refusal("", "").find("threshold_floor"), std::string::npos);
    ::unsetenv("FACEID_THRESHOLD_FLOOR");
    EXPECT_DOUBLE_EQ(resolve("", "--threshold-floor=-1").config.threshold_floor, -1);
    EXPECT_NE(refusal(write_config(R"({"port": 70000})"), "").find("out of range"), std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"threshold": 1.5})"), "").find("threshold"), std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"retention": {"keep_best": -1}})"), "").find("retention.keep_best"),
              std::string::npos);
    EXPECT_EQ(resolve("", "--port 0").config.port, 0);  // 0 picks a free port
    EXPECT_EQ(resolve("", "--rate-limit 0").config.rate_limit_per_second, 0);
}

TEST_F(SettingsTest, ConfigFileKeysNestedObjectsAndAliases) {
    auto config = resolve(write_config(R"({"storage": {"backend": "clickhouse", "url": "http://ch:8123",
        "user": "u", "password": "p", "database": "db", "photos_dir": "/photos"},
        "retention": {"max_templates": 5, "max_age_days": 365, "keep_best": 2, "inactive_days": 730,
                      "interval_minutes": 1440}, "threshold": 0.4, "change_poll_ms": 500})"),
                          "")
                      .config;
    EXPECT_EQ(config.storage, "clickhouse");
    EXPECT_EQ(config.clickhouse_url, "http://ch:8123");
    EXPECT_EQ(config.clickhouse_user, "u");
    EXPECT_EQ(config.clickhouse_password, "p");
    EXPECT_EQ(config.clickhouse_database, "db");
    EXPECT_EQ(config.photos_dir, "/photos");
    EXPECT_EQ(config.retention.max_templates, 5);
    EXPECT_EQ(config.retention.max_age_days, 365);
    EXPECT_EQ(config.retention.keep_best, 2);
    EXPECT_EQ(config.retention.inactive_days, 730);
    EXPECT_EQ(config.retention.interval_minutes, 1440);
    ASSERT_TRUE(config.threshold);
    EXPECT_DOUBLE_EQ(*config.threshold, 0.4);
    EXPECT_EQ(config.change_poll_ms, 500);
    // "storage" as a plain string names the backend; photos_dir may be given at the top level too.
    config = resolve(write_config(R"({"storage": "clickhouse", "photos_dir": "/p2"})"), "").config;
    EXPECT_EQ(config.storage, "clickhouse");
    EXPECT_EQ(config.photos_dir, "/p2");
    ::setenv("FACEID_THRESHOLD", "0.45", 1);
    EXPECT_DOUBLE_EQ(*resolve("", "").config.threshold, 0.45);
}

TEST_F(SettingsTest, UnknownConfigKeysAreRefused) {
    EXPECT_NE(refusal(write_config(R"({"prot": 8000})"), "").find("unknown config key prot"),
              std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"storage": {"bakend": "sqlite"}})"), "").find("storage.bakend"),
              std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"retention": {"max_age": 3}})"), "").find("retention.max_age"),
              std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"retention": 3})"), "").find("retention must be an object"),
              std::string::npos);
    EXPECT_NE(refusal(write_config(R"({"clickhouse_url": "x"})"), "").find("unknown config key"),
              std::string::npos);
    EXPECT_THROW(resolve(write_config("[1, 2]"), ""), Error);
    EXPECT_THROW(resolve((dir_ / "missing.json").string(), ""), Error);
}

// The backend and photo store names are checked once, at load, against their registries.
TEST_F(SettingsTest, StorageNamesAreCheckedAgainstTheRegistries) {
    EXPECT_EQ(resolve(write_config(R"({"storage": {"backend": "clickhouse"}})"), "").config.storage,
              "clickhouse");
    ::setenv("FACEID_STORAGE", "postgres", 1);
    const auto message = refusal("", "");
    EXPECT_NE(message.find("storage.backend"), std::string::npos) << message;
    EXPECT_NE(message.find("sqlite, clickhouse"), std::string::npos) << message;
    ::unsetenv("FACEID_STORAGE");
    EXPECT_NE(refusal(write_config(R"({"storage": "SQLite"})"), "").find("storage.backend"),
              std::string::npos);
    EXPECT_EQ(resolve("", "").config.photo_store, "files");
    ::setenv("FACEID_PHOTO_STORE", "s3", 1);
    EXPECT_EQ(resolve("", "").config.photo_store, "s3");
    ::setenv("FACEID_PHOTO_STORE", "gcs", 1);
    EXPECT_NE(refusal("", "").find("storage.photo_store"), std::string::npos);
    ::unsetenv("FACEID_PHOTO_STORE");
    // The fallback of a switch-over: a store's name, or empty for none.
    EXPECT_EQ(resolve(write_config(R"({"storage": {"photo_fallback": "files"}})"), "").config.photo_fallback,
              "files");
    EXPECT_EQ(resolve(write_config(R"({"storage": {"photo_fallback": ""}})"), "").config.photo_fallback, "");
    EXPECT_NE(
        refusal(write_config(R"({"storage": {"photo_fallback": "nfs"}})"), "").find("storage.photo_fallback"),
        std::string::npos);
}

TEST_F(SettingsTest, SecretsAreMarked) {
    for (const auto& row : settings()) {
        // A *_file row names where a secret is, not the secret: shown.
        const bool named_secret =
            (row.key.find("password") != std::string::npos || row.key.find("secret") != std::string::npos) &&
            !row.key.ends_with("_file");
        EXPECT_EQ(row.secret, named_secret) << row.key;
    }
    EXPECT_TRUE(settings()[row_index("storage.password")].secret);
    EXPECT_TRUE(settings()[row_index("storage.s3_secret_key")].secret);
    EXPECT_FALSE(settings()[row_index("storage.s3_secret_key_file")].secret);
}

std::vector<std::string> split_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    for (size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '|') {
            const auto first = cell.find_first_not_of(' ');
            const auto last = cell.find_last_not_of(' ');
            cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
            cell.clear();
        } else {
            cell += line[i];
        }
    }
    return cells;
}

std::string unquote(const std::string& cell) {
    if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') return cell.substr(1, cell.size() - 2);
    return cell;
}

// README.md's settings table is `faceid config --markdown`: key (or aliases), environment, flag, default.
TEST_F(SettingsTest, ReadmeListsExactlyTheTable) {
    std::ifstream in(fs::path(FACEID_SOURCE_DIR) / "README.md");
    ASSERT_TRUE(in);
    std::string line;
    while (std::getline(in, line) && line != "| key | environment | flag | default | meaning |") {
    }
    ASSERT_TRUE(in) << "README.md has no settings table";
    std::getline(in, line);  // |---|...
    std::vector<std::vector<std::string>> rows;
    while (std::getline(in, line) && line.starts_with("|")) rows.push_back(split_cells(line));
    const auto& table = settings();
    ASSERT_EQ(rows.size(), table.size())
        << "README.md's settings table and app/settings.cpp differ in length";
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& row = table[i];
        ASSERT_GE(rows[i].size(), 4u) << i;
        std::string key = "`" + row.key + "`";
        for (const auto& alias : row.aliases) key += " or `" + alias + "`";
        EXPECT_EQ(rows[i][0], key) << "README row " << i + 1;
        EXPECT_EQ(unquote(rows[i][1]), row.env) << row.key;
        EXPECT_EQ(unquote(rows[i][2]), row.flag) << row.key;
        EXPECT_EQ(unquote(rows[i][3]), row.default_text.empty() ? "(none)" : row.default_text) << row.key;
    }
}

}  // namespace
}  // namespace faceid::app
