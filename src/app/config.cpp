#include "app/config.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string_view>

namespace faceid::app {
namespace {

template <typename T>
void read_key(const nlohmann::json& json, const char* key, T& target) {
    if (!json.contains(key)) return;
    try {
        target = json.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw Error(ErrorCode::kInvalidField, std::string("config key ") + key + " has the wrong type");
    }
}

const char* env(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? value : nullptr;
}

int env_int(const char* name, int fallback) {
    const char* value = env(name);
    if (!value) return fallback;
    char* end = nullptr;
    const long parsed = std::strtol(value, &end, 10);
    if (*end != '\0') throw Error(ErrorCode::kInvalidField, std::string(name) + " must be a whole number");
    return int(parsed);
}

// Refuses keys of `object` that are not in `known` (a typo must not silently fall back to a default).
void check_known_keys(const nlohmann::json& object, std::initializer_list<std::string_view> known,
                      const std::string& prefix, const std::filesystem::path& file) {
    for (const auto& [key, value] : object.items())
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw Error(ErrorCode::kInvalidField,
                        "unknown config key " + prefix + key + " in " + file.string());
}

}  // namespace

void apply_config_file(AppConfig& config, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read config file " + file.string());
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        throw Error(ErrorCode::kInvalidField, "config file " + file.string() + " is not a JSON object");
    // clang-format off
    check_known_keys(json, {"host", "port", "data_dir", "models_dir", "web_dir", "swagger_dir", "max_upload_mb",
                            "workers", "http_threads", "max_templates", "threshold", "index", "flip_average",
                            "storage", "read_timeout_seconds", "rate_limit_per_second", "rate_limit_burst",
                            "tls_cert", "tls_key", "photos_dir", "change_poll_ms", "compact_minutes",
                            "duplicate_threshold", "require_live", "live_threshold", "retention"},
                     "", file);
    // clang-format on
    read_key(json, "host", config.host);
    read_key(json, "port", config.port);
    read_key(json, "data_dir", config.data_dir);
    read_key(json, "models_dir", config.models_dir);
    read_key(json, "web_dir", config.web_dir);
    read_key(json, "swagger_dir", config.swagger_dir);
    read_key(json, "max_upload_mb", config.max_upload_mb);
    read_key(json, "workers", config.workers);
    read_key(json, "http_threads", config.http_threads);
    read_key(json, "max_templates", config.max_templates);
    if (json.contains("threshold")) config.threshold = json["threshold"].get<double>();
    read_key(json, "index", config.index);
    read_key(json, "flip_average", config.flip_average);
    if (json.contains("storage") && json["storage"].is_object()) {
        const auto& storage = json["storage"];
        check_known_keys(storage, {"backend", "url", "user", "password", "database", "photos_dir"},
                         "storage.", file);
        read_key(storage, "backend", config.storage);
        read_key(storage, "url", config.clickhouse_url);
        read_key(storage, "user", config.clickhouse_user);
        read_key(storage, "password", config.clickhouse_password);
        read_key(storage, "database", config.clickhouse_database);
        read_key(storage, "photos_dir", config.photos_dir);
    } else {
        read_key(json, "storage", config.storage);
    }
    read_key(json, "photos_dir", config.photos_dir);
    read_key(json, "change_poll_ms", config.change_poll_ms);
    read_key(json, "compact_minutes", config.compact_minutes);
    read_key(json, "read_timeout_seconds", config.read_timeout_seconds);
    read_key(json, "rate_limit_per_second", config.rate_limit_per_second);
    read_key(json, "rate_limit_burst", config.rate_limit_burst);
    read_key(json, "tls_cert", config.tls_cert);
    read_key(json, "tls_key", config.tls_key);
    read_key(json, "duplicate_threshold", config.duplicate_threshold);
    read_key(json, "require_live", config.require_live);
    read_key(json, "live_threshold", config.live_threshold);
    if (json.contains("retention")) {
        const auto& r = json["retention"];
        if (!r.is_object()) throw Error(ErrorCode::kInvalidField, "config key retention must be an object");
        check_known_keys(r,
                         {"max_templates", "max_age_days", "keep_best", "inactive_days", "interval_minutes"},
                         "retention.", file);
        read_key(r, "max_templates", config.retention.max_templates);
        read_key(r, "max_age_days", config.retention.max_age_days);
        read_key(r, "keep_best", config.retention.keep_best);
        read_key(r, "inactive_days", config.retention.inactive_days);
        read_key(r, "interval_minutes", config.retention.interval_minutes);
    }
}

AppConfig load_config(const std::string& config_file) {
    AppConfig config;
    if (!config_file.empty()) apply_config_file(config, config_file);
    apply_environment(config);
    return config;
}

void apply_environment(AppConfig& config) {
    if (auto v = env("FACEID_HOST")) config.host = v;
    config.port = env_int("FACEID_PORT", config.port);
    if (auto v = env("FACEID_DATA")) config.data_dir = v;
    if (auto v = env("FACEID_MODELS_DIR")) config.models_dir = v;
    if (auto v = env("FACEID_WEB_DIR")) config.web_dir = v;
    if (auto v = env("FACEID_SWAGGER_DIR")) config.swagger_dir = v;
    config.max_upload_mb = env_int("FACEID_MAX_UPLOAD_MB", config.max_upload_mb);
    config.workers = env_int("FACEID_WORKERS", config.workers);
    config.http_threads = env_int("FACEID_HTTP_THREADS", config.http_threads);
    config.max_templates = env_int("FACEID_MAX_TEMPLATES", config.max_templates);
    if (auto v = env("FACEID_THRESHOLD")) config.threshold = std::strtod(v, nullptr);
    if (auto v = env("FACEID_INDEX")) config.index = v;
    config.flip_average = env_int("FACEID_FLIP_AVERAGE", config.flip_average ? 1 : 0) != 0;
    if (auto v = env("FACEID_STORAGE")) config.storage = v;
    config.read_timeout_seconds = env_int("FACEID_READ_TIMEOUT", config.read_timeout_seconds);
    if (auto v = env("FACEID_CLICKHOUSE_URL")) config.clickhouse_url = v;
    if (auto v = env("FACEID_CLICKHOUSE_USER")) config.clickhouse_user = v;
    if (auto v = env("FACEID_CLICKHOUSE_PASSWORD")) config.clickhouse_password = v;
    if (auto v = env("FACEID_CLICKHOUSE_DATABASE")) config.clickhouse_database = v;
    if (auto v = env("FACEID_PHOTOS_DIR")) config.photos_dir = v;
    config.change_poll_ms = env_int("FACEID_CHANGE_POLL_MS", config.change_poll_ms);
    config.compact_minutes = env_int("FACEID_COMPACT_MINUTES", config.compact_minutes);
    if (auto v = env("FACEID_RATE_LIMIT")) config.rate_limit_per_second = std::strtod(v, nullptr);
    if (auto v = env("FACEID_RATE_BURST")) config.rate_limit_burst = std::strtod(v, nullptr);
    if (auto v = env("FACEID_TLS_CERT")) config.tls_cert = v;
    if (auto v = env("FACEID_TLS_KEY")) config.tls_key = v;
    if (auto v = env("FACEID_DUPLICATE_THRESHOLD")) config.duplicate_threshold = std::strtod(v, nullptr);
    if (auto v = env("FACEID_REQUIRE_LIVE"))
        config.require_live = std::string(v) == "true" || std::string(v) == "1";
    if (auto v = env("FACEID_LIVE_THRESHOLD")) config.live_threshold = std::strtod(v, nullptr);
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
