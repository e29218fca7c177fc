#pragma once
#include <CLI/CLI.hpp>

namespace faceid::app {
// detect, embed and compare.
void add_face_commands(CLI::App& app);
}  // namespace faceid::app
