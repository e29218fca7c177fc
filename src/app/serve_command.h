#pragma once
#include <CLI/CLI.hpp>

namespace faceid::app {
// faceid serve: the HTTP service over the configured storage.
void add_serve_command(CLI::App& app);
}  // namespace faceid::app
