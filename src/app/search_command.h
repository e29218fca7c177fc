#pragma once
#include <CLI/CLI.hpp>

namespace faceid::app {
// search --batch DIR: searches every photo of a folder against the local gallery (batched inference and
// batched index search), one JSON line per photo on stdout, throughput (and with --compare-single the
// speed-up over searching one photo at a time) on stderr.
void add_search_command(CLI::App& app);
}  // namespace faceid::app
