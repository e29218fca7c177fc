#pragma once
#include <CLI/CLI.hpp>

namespace faceid::app {
// detect, embed, compare, eval and bench pipeline.
void add_vision_commands(CLI::App& app);
}  // namespace faceid::app
