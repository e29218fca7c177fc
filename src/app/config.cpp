#include "app/config.h"

#include "app/settings.h"

namespace faceid::app {

AppConfig load_config(const std::string& config_file) {
    return resolve_config(config_file).config;
}

std::filesystem::path locate_asset_dir(const std::string& configured, const std::string& relative) {
    namespace fs = std::filesystem;
    if (!configured.empty()) return configured;
    if (fs::is_directory(relative)) return fs::absolute(relative);
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        // build/release/faceid -> the source tree two levels up.
        const auto beside_sources = exe.parent_path().parent_path().parent_path() / relative;
        if (fs::is_directory(beside_sources)) return beside_sources;
    }
    return {};
}

}  // namespace faceid::app
