#include "app/config_command.h"

#include "app/settings.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace faceid::app {
namespace {

struct ConfigFlags {
    SettingFlags settings;
    bool markdown = false;
};

std::string shown(const std::string& value) {
    return value.empty() ? "(none)" : value;
}

// README.md's settings table (tests/unit/settings_test.cpp checks README against settings()).
void print_markdown() {
    auto code = [](const std::string& text) { return text.empty() ? std::string() : "`" + text + "`"; };
    std::cout << "| key | environment | flag | default | meaning |\n|---|---|---|---|---|\n";
    for (const auto& row : settings()) {
        std::string key = code(row.key);
        for (const auto& alias : row.aliases) key += " or " + code(alias);
        std::cout << "| " << key << " | " << code(row.env) << " | " << code(row.flag) << " | "
                  << code(shown(row.default_text)) << " | " << row.help << " |\n";
    }
}

int run_config(const ConfigFlags& flags) {
    if (flags.markdown) {
        print_markdown();
        return 0;
    }
    const ResolvedConfig resolved = resolve_config(flags.settings.config_file, &flags.settings);
    const auto& table = settings();
    size_t width = 4;
    for (const auto& row : table) width = std::max(width, row.key.size());
    std::ostringstream out;
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& row = table[i];
        std::string value = row.show(resolved.config);
        if (row.secret && !value.empty()) value = "********";
        std::string source = source_name(resolved.sources[i]);
        if (resolved.sources[i] == SettingSource::kEnvironment) source += " " + row.env;
        if (resolved.sources[i] == SettingSource::kFlag) source += " " + row.flag;
        if (resolved.sources[i] == SettingSource::kFile) source += " " + flags.settings.config_file;
        out << std::left << std::setw(int(width) + 2) << row.key << std::setw(40) << shown(value) << " "
            << source << "\n";
    }
    out << std::left << std::setw(int(width) + 2) << "auth" << std::setw(40)
        << (resolved.config.auth ? "true" : "false") << " "
        << (flags.settings.no_auth ? "flag --no-auth" : "default") << "\n";
    std::cout << out.str();
    return 0;
}

}  // namespace

void add_config_command(CLI::App& app) {
    static ConfigFlags flags;
    auto* config = app.add_subcommand(
        "config",
        "Print the effective settings and where each came from (default, file, env, flag); secrets masked");
    flags.settings.add_to(*config);  // the same flags as serve
    config->add_flag("--markdown", flags.markdown, "Print the settings table as README.md lists it");
    config->final_callback([] { throw CLI::RuntimeError(run_config(flags)); });
}

}  // namespace faceid::app
