#pragma once
#include <CLI/CLI.hpp>

namespace faceid::app {
// import (bulk registration from a folder tree or a CSV file) and cleanup (the retention policy), each
// against the local data folder or a running server (--url, --key).
void add_import_and_cleanup_commands(CLI::App& app);
}  // namespace faceid::app
