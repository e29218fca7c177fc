#pragma once
// faceid config [--config FILE] [flags...]: the effective settings and where each came from.
#include <CLI/CLI.hpp>

namespace faceid::app {
void add_config_command(CLI::App& app);
}  // namespace faceid::app
