#include "support/test_support.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace faceid::testing {

std::optional<std::filesystem::path> test_data_dir() {
    const char* env = std::getenv("FACEID_TEST_DATA");
    std::filesystem::path dir = env && *env ? env : FACEID_DEFAULT_TEST_DATA;
    if (std::filesystem::is_directory(dir / "lfw")) return dir;
    return std::nullopt;
}

std::filesystem::path models_dir() {
    const char* env = std::getenv("FACEID_MODELS_DIR");
    return env && *env ? env : FACEID_DEFAULT_MODELS_DIR;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto dir = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
        if (std::filesystem::create_directory(dir)) return dir;
    }
    throw std::runtime_error("cannot create a temp dir");
}

std::optional<std::string> clickhouse_test_url() {
    const char* env = std::getenv("FACEID_TEST_CLICKHOUSE_URL");
    if (!env || !*env) return std::nullopt;
    return std::string(env);
}

}  // namespace faceid::testing
