#pragma once
// `faceid eval rotation`: how photos turned a quarter without an EXIF orientation are set upright.
#include <CLI/CLI.hpp>

namespace faceid::app {

// Adds `rotation` under the `eval` command.
void add_rotation_eval_command(CLI::App& eval);

}  // namespace faceid::app
