#include "app/photo_stores.h"

#include "core/error.h"
#include "repositories/fallback_photo_store.h"
#include "repositories/files/file_photo_store.h"
#include "repositories/s3/s3_photo_store.h"

#include <filesystem>
#include <fstream>

namespace faceid::app {
namespace {

// The secret from the setting, else from the first line of the file the other setting names.
std::string s3_secret(const AppConfig& config) {
    if (!config.s3_secret_key.empty() || config.s3_secret_key_file.empty()) return config.s3_secret_key;
    std::ifstream in(config.s3_secret_key_file);
    std::string line;
    if (!in || !std::getline(in, line))
        throw Error(ErrorCode::kInvalidField,
                    "storage.s3_secret_key_file: cannot read " + config.s3_secret_key_file,
                    {{"field", "storage.s3_secret_key_file"}});
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}

S3Settings s3_settings(const AppConfig& config) {
    S3Settings s3;
    s3.endpoint = config.s3_endpoint;
    s3.bucket = config.s3_bucket;
    s3.region = config.s3_region;
    s3.access_key = config.s3_access_key;
    s3.secret_key = s3_secret(config);
    s3.path_style = config.s3_path_style;
    s3.prefix = config.s3_prefix;
    s3.connect_timeout_ms = config.s3_connect_timeout_ms;
    s3.timeout_ms = config.s3_timeout_ms;
    s3.retries = config.s3_retries;
    return s3;
}

}  // namespace

const std::vector<PhotoStoreRow>& photo_stores() {
    namespace fs = std::filesystem;
    static const std::vector<PhotoStoreRow> table = {
        {"files",
         [](const AppConfig& config) {
             return std::make_unique<FilePhotoStore>(config.photos_dir.empty()
                                                         ? fs::path(config.data_dir) / "photos"
                                                         : fs::path(config.photos_dir));
         }},
        {"s3", [](const AppConfig& config) { return std::make_unique<S3PhotoStore>(s3_settings(config)); }},
    };
    return table;
}

std::unique_ptr<PhotoStore> open_photo_store(const AppConfig& config, const std::string& name) {
    for (const auto& row : photo_stores())
        if (row.name == name) return row.open(config);
    throw Error(ErrorCode::kInternal, "no photo store named '" + name + "'");
}

std::unique_ptr<PhotoStore> open_photo_store(const AppConfig& config) {
    auto store = open_photo_store(config, config.photo_store);
    if (config.photo_fallback.empty() || config.photo_fallback == config.photo_store) return store;
    return std::make_unique<FallbackPhotoStore>(std::move(store),
                                                open_photo_store(config, config.photo_fallback));
}

}  // namespace faceid::app
