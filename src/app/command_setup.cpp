#include "app/command_setup.h"

#include "core/error.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faceid::app {

ModelFiles resolve_models(const std::string& flag) {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates;
    if (!flag.empty()) {
        candidates = {flag};
    } else {
        if (const char* env = std::getenv("FACEID_MODELS_DIR"); env && *env) candidates.emplace_back(env);
        candidates.emplace_back("models");
        std::error_code ec;
        const auto exe = fs::read_symlink("/proc/self/exe", ec);
        if (!ec) candidates.push_back(exe.parent_path().parent_path().parent_path() / "models");
    }
    for (const auto& dir : candidates)
        if (fs::exists(dir / "fr_detect.onnx") || !flag.empty()) {
            ModelFiles models(dir);
            models.verify();
            return models;
        }
    ModelFiles models(candidates.front());
    models.verify();  // throws with the file name and the fix
    return models;
}

std::string read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

PipelineOptions pipeline_options(const AppConfig& config) {
    PipelineOptions options;
    options.flip_average = config.flip_average;
    options.gates = config.quality;  // the quality-gate settings (quality.*)
    options.time_budget_seconds = config.request_budget_seconds;
    return options;
}

namespace {
// The match decision's settings, shared by search and registration (duplicate and identity checks).
MatchPolicy match_policy(const AppConfig& config) {
    return MatchPolicy({config.target_fpir, config.threshold, config.threshold_floor});
}
}  // namespace

RegistrationOptions registration_options(const AppConfig& config) {
    RegistrationOptions options;
    options.max_templates = config.max_templates;
    options.duplicate_threshold = config.duplicate_threshold;
    options.require_live = config.require_live;
    options.live_threshold = config.live_threshold;
    options.policy = match_policy(config);
    return options;
}

SearchOptions search_options(const AppConfig& config) {
    SearchOptions options;
    options.policy = match_policy(config);
    options.require_live = config.require_live;
    options.live_threshold = config.live_threshold;
    return options;
}

}  // namespace faceid::app
