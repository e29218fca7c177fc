#pragma once
// faceid keys create|list|revoke: API key management on the data folder's database.
#include <CLI/CLI.hpp>

namespace faceid::app {
void add_keys_command(CLI::App& app);
}  // namespace faceid::app
