#pragma once
// The photo stores by name (setting storage.photo_store, FACEID_PHOTO_STORE), chosen independently of the
// storage backend: "files" (a folder, shared by replicas when it is a shared mount) and "s3" (a bucket of
// an S3 server: replicas share it without a shared folder). One row per store.
#include "app/config.h"
#include "repositories/photo_store.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace faceid::app {

struct PhotoStoreRow {
    std::string name;
    std::function<std::unique_ptr<PhotoStore>(const AppConfig& config)> open;
};

const std::vector<PhotoStoreRow>& photo_stores();

// The store named `name`, configured from `config`.
std::unique_ptr<PhotoStore> open_photo_store(const AppConfig& config, const std::string& name);
// The configured store (photo_store), wrapped so that reads fall back to photo_fallback when that is set.
std::unique_ptr<PhotoStore> open_photo_store(const AppConfig& config);

}  // namespace faceid::app
