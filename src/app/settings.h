#pragma once
// The one table of service settings. Each row names a setting once: its path in the JSON config file, its
// FACEID_* environment variable, its command-line flag, its default, its bounds, its parser and its help.
// The config file, the environment, the flags of `serve` and `config`, `faceid config` and README.md's
// settings table (checked by tests/unit/settings_test.cpp) all read this table.
//
// Precedence: default < config file < FACEID_* environment < flag. Every source is parsed by the row's one
// parser: booleans are true/false/1/0 and nothing else; numbers must be whole (no trailing characters),
// finite, in range and within the row's bounds; a refusal names the setting and where the value came from.
// Authentication can only be switched off by the --no-auth flag, on purpose: it is not a table row.
#include "app/config.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace faceid::app {

enum class SettingSource { kDefault, kFile, kEnvironment, kFlag };
const char* source_name(SettingSource source);

struct Setting {
    std::string key;  // path in the config file: "port", "storage.url", "retention.keep_best"
    std::vector<std::string> aliases;  // other accepted paths ("storage" as a string for storage.backend)
    std::string env;                   // FACEID_* variable; empty: none
    std::string flag;                  // "--port"; empty: none
    std::string help;
    std::string type;        // what the parser accepts: "text", "whole number", "number", "true/false"
    bool is_switch = false;  // the flag needs no value: `--require-live` (or `--require-live=false`)
    bool secret = false;     // shown masked by `faceid config`

    std::string default_text;               // the default as show() prints it
    std::function<void(AppConfig&)> reset;  // sets the default
    // Parses and checks `text`, then sets it; throws Error(kInvalidField) naming the setting and `origin`.
    std::function<void(AppConfig&, const std::string& text, const std::string& origin)> parse;
    std::function<std::string(const AppConfig&)> show;
    // A JSON value from the config file as the text parse() takes; throws on a wrong JSON type.
    std::function<std::string(const nlohmann::json& value, const std::string& origin)> json_text;
};

// The table, in the order README.md lists it.
const std::vector<Setting>& settings();

// Values of the setting flags as given on the command line (one entry per row of settings(); empty: not
// given), plus --config and --no-auth.
struct SettingFlags {
    std::string config_file;
    bool no_auth = false;
    std::vector<std::optional<std::string>> values =
        std::vector<std::optional<std::string>>(settings().size());

    // Adds --config, --no-auth and every row's flag to a CLI11 command. The object must outlive parsing.
    void add_to(CLI::App& command);
};

struct ResolvedConfig {
    AppConfig config;
    std::vector<SettingSource> sources;  // one per row of settings()
};

// Defaults, then the config file (if any), then the environment, then the flags (if any).
ResolvedConfig resolve_config(const std::string& config_file, const SettingFlags* flags = nullptr);

// The pieces of resolve_config(), for tests. `sources` may be null.
void apply_config_file(AppConfig& config, const std::filesystem::path& file,
                       std::vector<SettingSource>* sources = nullptr);
void apply_environment(AppConfig& config, std::vector<SettingSource>* sources = nullptr);
void apply_flags(AppConfig& config, const SettingFlags& flags, std::vector<SettingSource>* sources = nullptr);

// The strict parsers every source shares (exposed for tests). `what` names the setting and the source.
bool parse_bool(const std::string& text, const std::string& what);
long long parse_whole(const std::string& text, double min, double max, const std::string& what);
double parse_number(const std::string& text, double min, double max, const std::string& what);

}  // namespace faceid::app
