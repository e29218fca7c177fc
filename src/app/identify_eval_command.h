#pragma once
// `faceid eval identify`: the open-set (1:N) benchmark on the real registration and search path.
#include <CLI/CLI.hpp>

namespace faceid::app {

// Adds `identify` under the `eval` command.
void add_identify_eval_command(CLI::App& eval);

}  // namespace faceid::app
