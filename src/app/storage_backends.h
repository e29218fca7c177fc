#pragma once
// The storage backends by name (setting storage.backend, FACEID_STORAGE): one row each, which builds the
// backend's bundle (repositories/storage_backend.h) from the configuration. The settings table accepts
// exactly these names, so a configuration that loaded names a backend that exists.
#include "app/config.h"
#include "repositories/storage_backend.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace faceid::app {

struct StorageBackendRow {
    std::string name;
    std::string help;  // for the settings table
    std::function<std::unique_ptr<StorageBackend>(const AppConfig& config)> open;
};

const std::vector<StorageBackendRow>& storage_backends();

// The backend config.storage names (nothing is opened until a store is asked for).
std::unique_ptr<StorageBackend> open_storage_backend(const AppConfig& config);

}  // namespace faceid::app
