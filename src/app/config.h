#pragma once
// Service settings: defaults, then a JSON config file, then FACEID_* environment variables, then flags
// (each later source wins).
#include "services/retention_service.h"

#include <filesystem>
#include <optional>
#include <string>

namespace faceid::app {

struct AppConfig {
    std::string host = "127.0.0.1";
    int port = 8000;
    std::string data_dir = "data";
    std::string models_dir;   // empty: see resolve_models()
    std::string web_dir;      // empty: web/ beside the sources or the working directory
    std::string swagger_dir;  // empty: node_modules/swagger-ui-dist likewise
    int max_upload_mb = 10;
    int workers = 0;       // face pipelines (model sessions); 0 = number of cores
    int http_threads = 0;  // 0 = max(8, 2 x workers)
    int max_templates = 10;
    std::optional<double> threshold;  // cosine; default from the calibration
    std::string index = "auto";       // flat | hnsw | auto
    bool flip_average = true;         // embed mirrored crops too (more accurate, slower); see README
    std::string storage = "sqlite";
    int read_timeout_seconds = 15;
    // Registration of a new person whose face matches someone at or above this cosine is refused (409).
    double duplicate_threshold = 0.6;
    // Liveness gate: refuse register/search faces whose live probability is below live_threshold.
    bool require_live = false;
    double live_threshold = 0.5;
    // "retention": {"max_templates", "max_age_days", "keep_best", "inactive_days", "interval_minutes"}
    RetentionPolicy retention;
};

// Defaults, then the config file (if given), then the environment.
AppConfig load_config(const std::string& config_file);

// Reads keys of the same names from a JSON object file. Throws Error(kInvalidField) on unknown keys or types.
void apply_config_file(AppConfig& config, const std::filesystem::path& file);
// FACEID_HOST, FACEID_PORT, FACEID_DATA, FACEID_MODELS_DIR, FACEID_WEB_DIR, FACEID_SWAGGER_DIR,
// FACEID_MAX_UPLOAD_MB, FACEID_WORKERS, FACEID_HTTP_THREADS, FACEID_MAX_TEMPLATES, FACEID_THRESHOLD,
// FACEID_INDEX, FACEID_FLIP_AVERAGE (0/1), FACEID_STORAGE, FACEID_READ_TIMEOUT, FACEID_DUPLICATE_THRESHOLD,
// FACEID_REQUIRE_LIVE, FACEID_LIVE_THRESHOLD.
void apply_environment(AppConfig& config);

// A folder that exists among: the configured one, ./relative, or relative beside the source tree the binary
// was built in.
std::filesystem::path locate_asset_dir(const std::string& configured, const std::string& relative);

}  // namespace faceid::app
