#pragma once
// The photo stores by name (setting storage.photo_store, FACEID_PHOTO_STORE), chosen independently of the
// storage backend: "files" (a folder, shared by replicas when it is a shared mount) today; an object
// store would be one more row.
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

std::unique_ptr<PhotoStore> open_photo_store(const AppConfig& config);

}  // namespace faceid::app
