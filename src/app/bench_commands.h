#pragma once
#include <CLI/CLI.hpp>

namespace faceid::app {
// bench pipeline and bench liveness.
void add_bench_commands(CLI::App& app);
}  // namespace faceid::app
