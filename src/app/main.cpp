// faceid: the Face ID Boom binary. Sub-commands: serve, config, detect, embed, compare, eval, bench, keys,
// import, cleanup, search (see --help).
#include "app/bench_commands.h"
#include "app/config_command.h"
#include "app/eval_command.h"
#include "app/face_commands.h"
#include "app/import_cleanup_commands.h"
#include "app/keys_command.h"
#include "app/search_command.h"
#include "app/serve_command.h"
#include "core/error.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"Face ID Boom: self-hosted face recognition"};
    app.set_version_flag("--version", std::string("faceid (Face ID Boom) ") + FACEID_VERSION);
    app.require_subcommand(1);
    faceid::app::add_serve_command(app);
    faceid::app::add_config_command(app);
    faceid::app::add_keys_command(app);
    faceid::app::add_face_commands(app);
    faceid::app::add_eval_command(app);
    faceid::app::add_bench_commands(app);
    faceid::app::add_import_and_cleanup_commands(app);
    faceid::app::add_search_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const faceid::Error& e) {
        std::cerr << "faceid: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "faceid: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
