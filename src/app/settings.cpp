#include "app/settings.h"

#include "api/access_policy.h"
#include "api/http_server.h"
#include "app/photo_stores.h"
#include "app/storage_backends.h"
#include "core/error.h"
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/s3/s3_client.h"
#include "services/registration_service.h"
#include "services/retention_service.h"
#include "vision/face_pipeline.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

namespace faceid::app {
namespace {

// Where a row's value lives in AppConfig (show() reads through it, hence its const_casts: it never writes).
template <typename T>
using Field = T& (*)(AppConfig&);

struct Names {
    std::string key;
    std::string env;
    std::string flag;
    std::vector<std::string> aliases = {};
};

struct Bounds {
    double min;
    double max;
};

[[noreturn]] void refuse(const std::string& what, const std::string& message) {
    const auto field = what.substr(0, what.find(' '));
    throw Error(ErrorCode::kInvalidField, what + ": " + message, {{"field", field}});
}

std::string format_number(double value) {
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), end);
}

std::string bounds_text(Bounds bounds) {
    return format_number(bounds.min) + ".." + format_number(bounds.max);
}

std::string json_wrong_type(const std::string& origin, const char* expected) {
    refuse(origin, std::string("must be ") + expected + " in the config file");
}

Setting base(const Names& names, std::string help, std::string type) {
    Setting row;
    row.key = names.key;
    row.aliases = names.aliases;
    row.env = names.env;
    row.flag = names.flag;
    row.help = std::move(help);
    row.type = std::move(type);
    row.secret =
        names.key.find("password") != std::string::npos || names.key.find("secret") != std::string::npos;
    return row;
}

// A JSON number as text; booleans only for true/false settings.
std::string json_number_text(const nlohmann::json& value, const std::string& origin, const char* expected) {
    if (!value.is_number()) return json_wrong_type(origin, expected);
    return value.dump();
}

Setting text(const Names& names, Field<std::string> field, std::string fallback, std::string help) {
    Setting row = base(names, std::move(help), "text");
    row.default_text = fallback;
    row.reset = [field, fallback](AppConfig& config) { field(config) = fallback; };
    row.parse = [field](AppConfig& config, const std::string& value, const std::string&) {
        field(config) = value;
    };
    row.show = [field](const AppConfig& config) { return field(const_cast<AppConfig&>(config)); };
    row.json_text = [](const nlohmann::json& value, const std::string& origin) {
        if (!value.is_string()) return json_wrong_type(origin, "a string");
        return value.get<std::string>();
    };
    return row;
}

Setting whole(const Names& names, Field<int> field, int fallback, Bounds bounds, std::string help) {
    Setting row = base(names, std::move(help), "whole number");
    row.default_text = std::to_string(fallback);
    row.reset = [field, fallback](AppConfig& config) { field(config) = fallback; };
    row.parse = [field, bounds](AppConfig& config, const std::string& value, const std::string& origin) {
        field(config) = int(parse_whole(value, bounds.min, bounds.max, origin));
    };
    row.show = [field](const AppConfig& config) {
        return std::to_string(field(const_cast<AppConfig&>(config)));
    };
    row.json_text = [](const nlohmann::json& value, const std::string& origin) {
        return json_number_text(value, origin, "a whole number");
    };
    return row;
}

Setting number(const Names& names, Field<double> field, double fallback, Bounds bounds, std::string help) {
    Setting row = base(names, std::move(help), "number");
    row.default_text = format_number(fallback);
    row.reset = [field, fallback](AppConfig& config) { field(config) = fallback; };
    row.parse = [field, bounds](AppConfig& config, const std::string& value, const std::string& origin) {
        field(config) = parse_number(value, bounds.min, bounds.max, origin);
    };
    row.show = [field](const AppConfig& config) {
        return format_number(field(const_cast<AppConfig&>(config)));
    };
    row.json_text = [](const nlohmann::json& value, const std::string& origin) {
        return json_number_text(value, origin, "a number");
    };
    return row;
}

// A number that may be unset (default: unset).
Setting optional_number(const Names& names, Field<std::optional<double>> field, Bounds bounds,
                        std::string help) {
    Setting row = base(names, std::move(help), "number");
    row.reset = [field](AppConfig& config) { field(config).reset(); };
    row.parse = [field, bounds](AppConfig& config, const std::string& value, const std::string& origin) {
        field(config) = parse_number(value, bounds.min, bounds.max, origin);
    };
    row.show = [field](const AppConfig& config) {
        const auto& value = field(const_cast<AppConfig&>(config));
        return value ? format_number(*value) : std::string();
    };
    row.json_text = [](const nlohmann::json& value, const std::string& origin) {
        return json_number_text(value, origin, "a number");
    };
    return row;
}

Setting boolean(const Names& names, Field<bool> field, bool fallback, std::string help) {
    Setting row = base(names, std::move(help), "true/false");
    row.is_switch = true;
    row.default_text = fallback ? "true" : "false";
    row.reset = [field, fallback](AppConfig& config) { field(config) = fallback; };
    row.parse = [field](AppConfig& config, const std::string& value, const std::string& origin) {
        field(config) = parse_bool(value, origin);
    };
    row.show = [field](const AppConfig& config) {
        return std::string(field(const_cast<AppConfig&>(config)) ? "true" : "false");
    };
    row.json_text = [](const nlohmann::json& value, const std::string& origin) {
        if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
        if (value.is_number_integer()) return value.dump();  // 1 or 0; anything else is refused by the parser
        return json_wrong_type(origin, "true, false, 1 or 0");
    };
    return row;
}

// A text setting that must be one of the names of a registry (storage backends, photo stores): the one
// place such a name is checked.
template <typename Registry>
Setting choice(const Names& names, Field<std::string> field, std::string fallback, const Registry& registry,
               std::string help) {
    std::vector<std::string> choices;
    for (const auto& row : registry()) choices.push_back(row.name);
    std::string listed;
    for (const auto& name : choices) listed += (listed.empty() ? "" : ", ") + name;
    Setting row = text(names, field, std::move(fallback), std::move(help) + " (" + listed + ")");
    row.parse = [field, choices, listed](AppConfig& config, const std::string& value,
                                         const std::string& origin) {
        if (std::find(choices.begin(), choices.end(), value) == choices.end())
            refuse(origin, "'" + value + "' is not one of " + listed);
        field(config) = value;
    };
    return row;
}

// A choice that may also be empty (none).
template <typename Registry>
Setting optional_choice(const Names& names, Field<std::string> field, const Registry& registry,
                        std::string help) {
    Setting row = choice(names, field, "", registry, std::move(help));
    auto parse = row.parse;
    row.parse = [field, parse](AppConfig& config, const std::string& value, const std::string& origin) {
        if (value.empty())
            field(config).clear();
        else
            parse(config, value, origin);
    };
    return row;
}

// searcher_fields: a list api/access_policy.cpp understands (checked where the value is read).
Setting searcher_fields_row(Field<std::string> field) {
    Setting row = text({"searcher_fields", "FACEID_SEARCHER_FIELDS", "--searcher-fields"}, field, "",
                       "What the searcher role sees beyond person id, name and similarity: external_id, "
                       "metadata, both (comma-separated) or nothing");
    row.parse = [field](AppConfig& config, const std::string& value, const std::string& origin) {
        if (!parse_searcher_fields(value))
            refuse(origin, "'" + value + "' is not a comma-separated list of external_id and metadata");
        field(config) = value;
    };
    return row;
}

// A row whose key mentions a secret but holds none (a path to one): shown unmasked.
Setting not_secret(Setting row) {
    row.secret = false;
    return row;
}

// Where a setting's value lives in AppConfig.
#define FIELD(member)                  \
    +[](AppConfig & config) -> auto& { \
        return config.member;          \
    }

std::vector<Setting> make_settings() {
    // Defaults that belong to a module are taken from that module's options, so each number is written once.
    const ApiConfig api;
    const ClickHouseSettings clickhouse;
    const S3Settings s3;
    const PipelineOptions pipeline;
    const RegistrationOptions registration;
    const RetentionPolicy retention;
    const QualityGates gates;
    const Bounds cosine{-1, 1};
    const Bounds count{0, 1'000'000};
    // clang-format off
    return {
        text({"host", "FACEID_HOST", "--host"}, FIELD(host), api.host, "Address to listen on"),
        whole({"port", "FACEID_PORT", "--port"}, FIELD(port), api.port, {0, 65535}, "Port (0 picks a free one)"),
        text({"data_dir", "FACEID_DATA", "--data"}, FIELD(data_dir), "data", "Data folder: database, photos, index"),
        text({"models_dir", "FACEID_MODELS_DIR", "--models"}, FIELD(models_dir), "",
             "Folder with the ONNX models (empty: ./models, else models/ beside the sources)"),
        text({"web_dir", "FACEID_WEB_DIR", ""}, FIELD(web_dir), "",
             "Folder of the web page (empty: web/ in the working folder, else beside the sources)"),
        text({"swagger_dir", "FACEID_SWAGGER_DIR", ""}, FIELD(swagger_dir), "",
             "Folder of swagger-ui-dist for /docs (empty: node_modules/swagger-ui-dist, found likewise)"),
        whole({"workers", "FACEID_WORKERS", "--workers"}, FIELD(workers), 0, {0, 1024},
              "Face pipelines (model sessions); 0 = number of cores"),
        whole({"http_threads", "FACEID_HTTP_THREADS", ""}, FIELD(http_threads), 0, {0, 4096},
              "Threads that run requests (the face pipelines are shared by them); 0 = max(8, 2 x workers). "
              "Connections are served by one event loop besides, whatever their number"),
        whole({"http_queue", "FACEID_HTTP_QUEUE", ""}, FIELD(http_queue), api.http_queue, {1, 100000},
              "Requests that may wait for a busy request thread; more are answered 503 at once"),
        whole({"max_buffered_body_mb", "FACEID_MAX_BUFFERED_BODY_MB", ""}, FIELD(max_buffered_body_mb),
              api.max_buffered_body_mb, {1, 1'000'000},
              "MB of request bodies held at once by all connections (by their Content-Length); more are "
              "answered 503 before their body is read. At least one max_upload_mb"),
        whole({"max_connections", "FACEID_MAX_CONNECTIONS", ""}, FIELD(max_connections), api.max_connections,
              {16, 1000000}, "Open connections in all; more are closed when accepted"),
        whole({"connections_per_address", "FACEID_CONNECTIONS_PER_ADDRESS", ""}, FIELD(connections_per_address),
              api.connections_per_address, {1, 1000000}, "Open connections from one client address"),
        whole({"max_upload_mb", "FACEID_MAX_UPLOAD_MB", ""}, FIELD(max_upload_mb),
              int(api.max_upload_bytes / (1024 * 1024)), {1, 1024}, "Largest accepted upload, in MB"),
        whole({"read_timeout_seconds", "FACEID_READ_TIMEOUT", "--read-timeout"}, FIELD(read_timeout_seconds),
              api.read_timeout_seconds, {1, 3600}, "Seconds a connection may stay silent before it is closed"),
        whole({"header_timeout_seconds", "FACEID_HEADER_TIMEOUT", ""}, FIELD(header_timeout_seconds),
              api.header_timeout_seconds, {1, 3600},
              "Seconds a client has for a request's headers, from its connection or its previous answer"),
        whole({"body_timeout_seconds", "FACEID_BODY_TIMEOUT", ""}, FIELD(body_timeout_seconds),
              api.body_timeout_seconds, {1, 3600}, "Seconds a client has for a request's body, from its headers"),
        number({"request_budget_seconds", "FACEID_REQUEST_BUDGET", ""}, FIELD(request_budget_seconds), 20,
               {0, 3600}, "Seconds one photo may take to decode and analyse (every face), from when a face "
               "pipeline takes it; beyond it 422 time_budget_exceeded. Per photo in the batch routes. 0 = no "
               "limit"),
        number({"rate_limit_per_second", "FACEID_RATE_LIMIT", "--rate-limit"}, FIELD(rate_limit_per_second),
               api.rate_limit.per_second, {0, 1e6}, "Requests per second per API key (0 = off)"),
        number({"rate_limit_burst", "FACEID_RATE_BURST", "--rate-burst"}, FIELD(rate_limit_burst),
               api.rate_limit.burst, {0, 1e6}, "Burst size of the per-key rate limit"),
        text({"tls_cert", "FACEID_TLS_CERT", "--tls-cert"}, FIELD(tls_cert), "",
             "PEM certificate: serve HTTPS (with tls_key)"),
        text({"tls_key", "FACEID_TLS_KEY", "--tls-key"}, FIELD(tls_key), "", "PEM private key of tls_cert"),
        text({"index", "FACEID_INDEX", "--index"}, FIELD(index), "auto",
             "Vector index: auto (flat8 below 50,000 faces, then hnsw), flat, flat16, flat8, hnsw"),
        boolean({"flip_average", "FACEID_FLIP_AVERAGE", ""}, FIELD(flip_average), pipeline.flip_average,
                "Embed mirrored crops too: more accurate, twice the embedding time (see Accuracy)"),
        whole({"max_templates", "FACEID_MAX_TEMPLATES", "--max-templates"}, FIELD(max_templates),
              registration.max_templates, {1, 1000}, "Templates kept per person"),
        optional_number({"threshold", "FACEID_THRESHOLD", ""}, FIELD(threshold), cosine,
                        "Cosine match threshold; when set it fixes the decision threshold (unset: derived "
                        "from target_fpir and the gallery size, see Finding people)"),
        number({"target_fpir", "FACEID_TARGET_FPIR", "--target-fpir"}, FIELD(target_fpir), 0.01, {0.0001, 0.5},
               "False-positive identification rate the default match decision aims at, at the current "
               "gallery size"),
        number({"threshold_floor", "FACEID_THRESHOLD_FLOOR", "--threshold-floor"}, FIELD(threshold_floor), 0.333,
               cosine, "Lowest cosine a non-admin caller may ask for with ?threshold=, and the lowest "
               "similarity of the below-threshold candidates listed"),
        number({"duplicate_threshold", "FACEID_DUPLICATE_THRESHOLD", ""}, FIELD(duplicate_threshold),
               registration.duplicate_threshold, cosine,
               "Registering a new person whose face matches another at or above this cosine is refused (409)"),
        boolean({"require_live", "FACEID_REQUIRE_LIVE", "--require-live"}, FIELD(require_live),
                registration.require_live, "Refuse faces that do not look live (register, search)"),
        number({"live_threshold", "FACEID_LIVE_THRESHOLD", ""}, FIELD(live_threshold),
               registration.live_threshold, {0, 1}, "Live probability below which require_live refuses a face"),
        number({"quality.min_sharpness", "FACEID_MIN_SHARPNESS", ""}, FIELD(quality.min_sharpness),
               gates.min_sharpness, {0, 1e6},
               "Quality gate: LOW_SHARPNESS below this variance of the Laplacian of the aligned 112x112 face"),
        number({"quality.min_detection_score", "FACEID_MIN_DETECTION_SCORE", ""}, FIELD(quality.min_detection_score),
               gates.min_detection_score, {0, 1}, "Quality gate: LOW_CONFIDENCE below this face detector score"),
        number({"quality.min_face_px", "FACEID_MIN_FACE_PX", ""}, FIELD(quality.min_face_px), gates.min_face_px,
               {0, 1e5}, "Quality gate: SMALL_FACE when the face box is narrower than this (pixels)"),
        number({"quality.max_yaw", "FACEID_MAX_YAW", ""}, FIELD(quality.max_yaw), gates.max_yaw, {0, 180},
               "Quality gate: EXTREME_POSE when the head is turned sideways more than this (degrees)"),
        number({"quality.max_pitch", "FACEID_MAX_PITCH", ""}, FIELD(quality.max_pitch), gates.max_pitch, {0, 180},
               "Quality gate: EXTREME_POSE when the head is tilted up or down more than this (degrees)"),
        number({"quality.max_roll", "FACEID_MAX_ROLL", ""}, FIELD(quality.max_roll), gates.max_roll, {0, 180},
               "Quality gate: EXTREME_POSE when the head leans sideways more than this (degrees)"),
        searcher_fields_row(FIELD(searcher_fields)),
        choice({"storage.backend", "FACEID_STORAGE", "", {"storage"}}, FIELD(storage), "sqlite", storage_backends,
               "Storage backend: persons, faces, API keys, audit log; clickhouse for scale-out"),
        text({"storage.url", "FACEID_CLICKHOUSE_URL", ""}, FIELD(clickhouse_url), clickhouse.url,
             "ClickHouse HTTP interface"),
        text({"storage.user", "FACEID_CLICKHOUSE_USER", ""}, FIELD(clickhouse_user), clickhouse.user,
             "ClickHouse user (HTTP basic auth)"),
        text({"storage.password", "FACEID_CLICKHOUSE_PASSWORD", ""}, FIELD(clickhouse_password),
             clickhouse.password, "ClickHouse password (HTTP basic auth)"),
        text({"storage.database", "FACEID_CLICKHOUSE_DATABASE", ""}, FIELD(clickhouse_database),
             clickhouse.database, "ClickHouse database, created if missing; letters, digits, _"),
        choice({"storage.photo_store", "FACEID_PHOTO_STORE", ""}, FIELD(photo_store), "files", photo_stores,
               "Where photos and crops are kept, chosen apart from the backend"),
        text({"storage.photos_dir", "FACEID_PHOTOS_DIR", "", {"photos_dir"}}, FIELD(photos_dir), "",
             "Photo folder, shared by every replica (empty: photos/ in data_dir)"),
        text({"storage.s3_endpoint", "FACEID_S3_ENDPOINT", ""}, FIELD(s3_endpoint), "",
             "S3 endpoint for photo_store s3: http(s)://host[:port] (Ceph RGW, MinIO, AWS)"),
        text({"storage.s3_bucket", "FACEID_S3_BUCKET", ""}, FIELD(s3_bucket), s3.bucket,
             "S3 bucket of the photos, created at start when missing"),
        text({"storage.s3_region", "FACEID_S3_REGION", ""}, FIELD(s3_region), s3.region,
             "S3 region (request signing; the bucket's location outside us-east-1)"),
        text({"storage.s3_access_key", "FACEID_S3_ACCESS_KEY", ""}, FIELD(s3_access_key), "", "S3 access key"),
        text({"storage.s3_secret_key", "FACEID_S3_SECRET_KEY", ""}, FIELD(s3_secret_key), "",
             "S3 secret key (never logged; prefer s3_secret_key_file or the environment to the config file)"),
        not_secret(text({"storage.s3_secret_key_file", "FACEID_S3_SECRET_KEY_FILE", ""}, FIELD(s3_secret_key_file),
             "", "File whose first line is the S3 secret key (used when s3_secret_key is empty)")),
        boolean({"storage.s3_path_style", "FACEID_S3_PATH_STYLE", ""}, FIELD(s3_path_style), s3.path_style,
                "S3 path-style URLs (endpoint/bucket/key); false: virtual-host (bucket.endpoint/key)"),
        text({"storage.s3_prefix", "FACEID_S3_PREFIX", ""}, FIELD(s3_prefix), s3.prefix,
             "Prefix of the photo objects' keys in the bucket, e.g. faceid/ (letters, digits, / _ . -)"),
        whole({"storage.s3_connect_timeout_ms", "FACEID_S3_CONNECT_TIMEOUT_MS", ""}, FIELD(s3_connect_timeout_ms),
              s3.connect_timeout_ms, {100, 600'000}, "S3: milliseconds to wait for a connection"),
        whole({"storage.s3_timeout_ms", "FACEID_S3_TIMEOUT_MS", ""}, FIELD(s3_timeout_ms), s3.timeout_ms,
              {100, 3'600'000}, "S3: milliseconds one request attempt may take in all"),
        whole({"storage.s3_retries", "FACEID_S3_RETRIES", ""}, FIELD(s3_retries), s3.retries, {0, 10},
              "S3: attempts after the first on 5xx, timeouts and connection failures (backoff doubling from "
              "100 ms)"),
        optional_choice({"storage.photo_fallback", "FACEID_PHOTO_FALLBACK", ""}, FIELD(photo_fallback), photo_stores,
                        "During a switch-over of photo_store: the old store, read when the new one lacks a photo "
                        "(empty: none)"),
        whole({"storage.photo_delete_grace_seconds", "FACEID_PHOTO_DELETE_GRACE", ""},
              FIELD(photo_delete_grace_seconds), 300, {0, 86'400},
              "Replicas (clickhouse): an unreferenced photo stored less than this long ago is deleted later, "
              "not now"),
        whole({"change_poll_ms", "FACEID_CHANGE_POLL_MS", ""}, FIELD(change_poll_ms), 1000, {1, 3'600'000},
              "How often a replica picks up other replicas' changes (ClickHouse)"),
        whole({"compact_minutes", "FACEID_COMPACT_MINUTES", ""}, FIELD(compact_minutes), 60, count,
              "How often a replica runs OPTIMIZE on the ClickHouse tables (0 = never)"),
        whole({"retention.max_templates", "", ""}, FIELD(retention.max_templates), retention.max_templates, count,
              "Retention: at most this many templates per person (0 = no limit)"),
        whole({"retention.max_age_days", "", ""}, FIELD(retention.max_age_days), retention.max_age_days, count,
              "Retention: templates older than this are removed (0 = no age limit) ..."),
        whole({"retention.keep_best", "", ""}, FIELD(retention.keep_best), retention.keep_best, count,
              "... except the person's best keep_best by quality"),
        whole({"retention.inactive_days", "", ""}, FIELD(retention.inactive_days), retention.inactive_days, count,
              "Retention: remove persons neither matched nor updated for this long (0 = never)"),
        whole({"retention.interval_minutes", "", ""}, FIELD(retention.interval_minutes), retention.interval_minutes,
              count, "Retention: background run every this many minutes (0 = no background job)"),
    };
    // clang-format on
}

#undef FIELD

// The JSON value at a dotted path, or null if absent (or if a parent is not an object).
const nlohmann::json* find_path(const nlohmann::json& root, const std::string& path) {
    const nlohmann::json* node = &root;
    size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const auto part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!node->is_object() || !node->contains(part)) return nullptr;
        node = &(*node)[part];
        if (dot == std::string::npos) return node;
        start = dot + 1;
    }
}

// Refuses keys the table does not know (a typo must not silently fall back to a default), at every level.
void check_known_keys(const nlohmann::json& object, const std::string& prefix,
                      const std::filesystem::path& file) {
    for (const auto& [key, value] : object.items()) {
        const std::string path = prefix + key;
        bool leaf = false, parent = false;
        for (const auto& row : settings()) {
            leaf = leaf || row.key == path;
            for (const auto& alias : row.aliases) leaf = leaf || alias == path;
            parent = parent || row.key.starts_with(path + ".");
        }
        if (parent && value.is_object()) {
            check_known_keys(value, path + ".", file);
        } else if (parent && !leaf) {
            throw Error(ErrorCode::kInvalidField,
                        "config key " + path + " must be an object in " + file.string(), {{"field", path}});
        } else if (!leaf) {
            throw Error(ErrorCode::kInvalidField, "unknown config key " + path + " in " + file.string(),
                        {{"field", path}});
        }
    }
}

void mark(std::vector<SettingSource>* sources, size_t row, SettingSource source) {
    if (sources) (*sources)[row] = source;
}

}  // namespace

const char* source_name(SettingSource source) {
    switch (source) {
        case SettingSource::kDefault:
            return "default";
        case SettingSource::kFile:
            return "file";
        case SettingSource::kEnvironment:
            return "env";
        case SettingSource::kFlag:
            return "flag";
    }
    return "?";
}

const std::vector<Setting>& settings() {
    static const std::vector<Setting> table = make_settings();
    return table;
}

AppConfig::AppConfig() {
    for (const auto& row : settings()) row.reset(*this);
}

bool parse_bool(const std::string& text, const std::string& what) {
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    refuse(what, "'" + text + "' is not true, false, 1 or 0");
}

long long parse_whole(const std::string& text, double min, double max, const std::string& what) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        refuse(what, "'" + text + "' is out of range (" + bounds_text({min, max}) + ")");
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        refuse(what, "'" + text + "' is not a whole number");
    if (double(value) < min || double(value) > max)
        refuse(what, text + " is out of range (" + bounds_text({min, max}) + ")");
    return value;
}

double parse_number(const std::string& text, double min, double max, const std::string& what) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        refuse(what, "'" + text + "' is out of range (" + bounds_text({min, max}) + ")");
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        refuse(what, "'" + text + "' is not a number");
    if (!std::isfinite(value)) refuse(what, "'" + text + "' is not a finite number");
    if (value < min || value > max) refuse(what, text + " is out of range (" + bounds_text({min, max}) + ")");
    return value;
}

void apply_config_file(AppConfig& config, const std::filesystem::path& file,
                       std::vector<SettingSource>* sources) {
    std::ifstream in(file);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read config file " + file.string());
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        throw Error(ErrorCode::kInvalidField, "config file " + file.string() + " is not a JSON object");
    check_known_keys(json, "", file);
    const auto& table = settings();
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& row = table[i];
        std::vector<std::string> paths = {row.key};
        paths.insert(paths.end(), row.aliases.begin(), row.aliases.end());  // later paths win
        for (const auto& path : paths) {
            const auto* value = find_path(json, path);
            if (!value || (path != row.key && value->is_object()))
                continue;  // {"storage": {...}}: not an alias
            const std::string origin = row.key + " (config file " + file.string() + ", key " + path + ")";
            row.parse(config, row.json_text(*value, origin), origin);
            mark(sources, i, SettingSource::kFile);
        }
    }
}

void apply_environment(AppConfig& config, std::vector<SettingSource>* sources) {
    const auto& table = settings();
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& row = table[i];
        if (row.env.empty()) continue;
        const char* value = std::getenv(row.env.c_str());
        if (!value || !*value) continue;  // empty counts as unset
        row.parse(config, value, row.key + " (environment " + row.env + ")");
        mark(sources, i, SettingSource::kEnvironment);
    }
}

void apply_flags(AppConfig& config, const SettingFlags& flags, std::vector<SettingSource>* sources) {
    const auto& table = settings();
    for (size_t i = 0; i < table.size(); ++i) {
        if (!flags.values[i]) continue;
        table[i].parse(config, *flags.values[i], table[i].key + " (flag " + table[i].flag + ")");
        mark(sources, i, SettingSource::kFlag);
    }
    if (flags.no_auth) config.auth = false;
}

ResolvedConfig resolve_config(const std::string& config_file, const SettingFlags* flags) {
    ResolvedConfig resolved;
    resolved.sources.assign(settings().size(), SettingSource::kDefault);
    if (!config_file.empty()) apply_config_file(resolved.config, config_file, &resolved.sources);
    apply_environment(resolved.config, &resolved.sources);
    if (flags) apply_flags(resolved.config, *flags, &resolved.sources);
    return resolved;
}

void SettingFlags::add_to(CLI::App& command) {
    command.add_option("--config", config_file, "JSON config file");
    command.add_flag("--no-auth", no_auth, "Development only: no API keys (allowed on loopback only)");
    const auto& table = settings();
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& row = table[i];
        if (row.flag.empty()) continue;
        std::string help = row.help;
        if (!row.default_text.empty()) help += " (default " + row.default_text + ")";
        help += " [" + row.env + "]";
        if (row.is_switch) {
            command.add_flag(row.flag, values[i], help);  // alone: "true"; or --flag=VALUE
        } else {
            const char* type = row.type == "text" ? "TEXT" : row.type == "whole number" ? "INT" : "NUMBER";
            command.add_option(row.flag, values[i], help)->type_name(type);
        }
    }
}

}  // namespace faceid::app
