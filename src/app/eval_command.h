#pragma once
#include <CLI/CLI.hpp>

namespace faceid::app {
// eval (verification over pairs) and its identify sub-command (open set).
void add_eval_command(CLI::App& app);
}  // namespace faceid::app
