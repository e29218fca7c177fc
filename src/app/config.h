#pragma once
// Service settings. Every field is a row of the one settings table (app/settings.cpp): its config-file
// key, FACEID_* variable, flag, default, bounds and help are named there and only there; README.md lists
// the same table. Precedence: defaults < JSON config file < FACEID_* environment < flags.
#include "services/retention_service.h"
#include "vision/quality.h"

#include <filesystem>
#include <optional>
#include <string>

namespace faceid::app {

struct AppConfig {
    AppConfig();  // every field at its default from the settings table

    std::string host;
    int port;
    std::string data_dir;
    std::string models_dir;   // empty: see resolve_models()
    std::string web_dir;      // empty: web/ beside the sources or the working directory
    std::string swagger_dir;  // empty: node_modules/swagger-ui-dist likewise
    int max_upload_mb;
    int workers;       // face pipelines (model sessions); 0 = number of cores
    int http_threads;  // 0 = max(8, 2 x workers)
    int http_queue;
    int max_buffered_body_mb;
    int max_connections;
    int connections_per_address;
    int read_timeout_seconds;
    int header_timeout_seconds;
    int body_timeout_seconds;
    double request_budget_seconds;  // per photo, decode and pipeline; 0 = none
    double rate_limit_per_second;   // per API key; 0 = off
    double rate_limit_burst;
    std::string tls_cert, tls_key;  // both set: HTTPS
    std::string index;              // auto | flat | flat16 | flat8 | hnsw
    bool flip_average;              // embed mirrored crops too (more accurate, slower); see README
    int max_templates;
    std::optional<double> threshold;  // cosine; when set it fixes the decision threshold
    double target_fpir;               // false-positive identification rate the default decision aims at
    double threshold_floor;           // lowest cosine a non-admin may ask for with ?threshold=
    // Registration of a new person whose face matches someone at or above this cosine is refused (409).
    double duplicate_threshold;
    // Liveness gate: refuse register/search faces whose live probability is below live_threshold.
    bool require_live;
    double live_threshold;
    // "quality": the gates a registration photo must pass (min_sharpness, min_detection_score,
    // min_face_px, max_yaw, max_pitch, max_roll; the others keep QualityGates' defaults).
    QualityGates quality;
    // What the searcher role sees beyond person id, name and similarity: "external_id", "metadata", both
    // (comma-separated) or nothing (empty).
    std::string searcher_fields;
    // storage (sqlite | clickhouse; docs/scaling-out.md): the shared server, and the photo folder every
    // replica mounts (empty: <data_dir>/photos).
    std::string storage;      // a name in app/storage_backends.cpp (checked at load)
    std::string photo_store;  // a name in app/photo_stores.cpp (checked at load)
    std::string clickhouse_url;
    std::string clickhouse_user;
    std::string clickhouse_password;
    std::string clickhouse_database;
    std::string photos_dir;
    // photo_store s3 (repositories/s3): the endpoint, bucket (created if missing), credentials (the secret
    // also from a file) and addressing; see docs/scaling-out.md.
    std::string s3_endpoint;
    std::string s3_bucket;
    std::string s3_region;
    std::string s3_access_key;
    std::string s3_secret_key;
    std::string s3_secret_key_file;
    bool s3_path_style;
    std::string s3_prefix;
    int s3_connect_timeout_ms;
    int s3_timeout_ms;
    int s3_retries;
    // During a switch-over to another photo store: the old store, read when the new one lacks a photo.
    std::string photo_fallback;
    // With a backend several replicas share: an unreferenced photo younger than this is not deleted yet
    // (another replica may have just stored it for a row it has not committed); see Gallery::reclaim_blobs.
    int photo_delete_grace_seconds;
    int change_poll_ms;   // how often a replica looks for other replicas' changes
    int compact_minutes;  // how often it runs OPTIMIZE on the ClickHouse tables (0 = never)
    // "retention": {"max_templates", "max_age_days", "keep_best", "inactive_days", "interval_minutes"}
    RetentionPolicy retention;
    bool auth = true;  // false only by the --no-auth flag (loopback only), on purpose not a table row
};

// Defaults, then the config file (if given), then the environment (app/settings.h: resolve_config).
AppConfig load_config(const std::string& config_file);

// A folder that exists among: the configured one, ./relative, or relative beside the source tree the binary
// was built in.
std::filesystem::path locate_asset_dir(const std::string& configured, const std::string& relative);

}  // namespace faceid::app
