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
    std::optional<double> threshold;  // cosine; fixes the match threshold (default: from target_fpir)
    double target_fpir = 0.01;        // FPIR the default match decision aims at, at the gallery's size
    double threshold_floor = 0.333;   // lowest ?threshold= a non-admin may ask for
    std::string index = "auto";       // flat | hnsw | auto
    bool flip_average = true;         // embed mirrored crops too (more accurate, slower); see README
    std::string storage = "sqlite";   // sqlite | clickhouse
    int read_timeout_seconds = 15;
    bool auth = true;                   // false: --no-auth, loopback only
    double rate_limit_per_second = 20;  // per API key; 0 = off
    double rate_limit_burst = 40;
    std::string tls_cert, tls_key;  // both set: HTTPS
    // storage = clickhouse (docs/scaling-out.md): the shared server, and the photo folder every replica
    // mounts (default: <data_dir>/photos).
    std::string clickhouse_url = "http://127.0.0.1:8123";
    std::string clickhouse_user = "default";
    std::string clickhouse_password;
    std::string clickhouse_database = "faceid";
    std::string photos_dir;
    int change_poll_ms = 1000;  // how often a replica looks for other replicas' changes
    int compact_minutes = 60;   // how often it runs OPTIMIZE on the ClickHouse tables (0 = never)
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

// Reads keys of the same names from a JSON object file. "storage" may also be an object:
// {"backend": "clickhouse", "url": ..., "user": ..., "password": ..., "database": ..., "photos_dir": ...}.
// Throws Error(kInvalidField) on unknown keys or types.
void apply_config_file(AppConfig& config, const std::filesystem::path& file);
// FACEID_HOST, FACEID_PORT, FACEID_DATA, FACEID_MODELS_DIR, FACEID_WEB_DIR, FACEID_SWAGGER_DIR,
// FACEID_MAX_UPLOAD_MB, FACEID_WORKERS, FACEID_HTTP_THREADS, FACEID_MAX_TEMPLATES, FACEID_THRESHOLD,
// FACEID_INDEX, FACEID_FLIP_AVERAGE (0/1), FACEID_STORAGE, FACEID_READ_TIMEOUT, FACEID_RATE_LIMIT,
// FACEID_RATE_BURST, FACEID_TLS_CERT, FACEID_TLS_KEY, FACEID_CLICKHOUSE_URL, FACEID_CLICKHOUSE_USER,
// FACEID_CLICKHOUSE_PASSWORD, FACEID_CLICKHOUSE_DATABASE, FACEID_PHOTOS_DIR, FACEID_CHANGE_POLL_MS,
// FACEID_COMPACT_MINUTES (docs/scaling-out.md), FACEID_DUPLICATE_THRESHOLD, FACEID_REQUIRE_LIVE,
// FACEID_LIVE_THRESHOLD. (Authentication can only be switched off by the --no-auth flag, on purpose.)
void apply_environment(AppConfig& config);

// A folder that exists among: the configured one, ./relative, or relative beside the source tree the binary
// was built in.
std::filesystem::path locate_asset_dir(const std::string& configured, const std::string& relative);

}  // namespace faceid::app
