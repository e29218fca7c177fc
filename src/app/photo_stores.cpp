#include "app/photo_stores.h"

#include "core/error.h"
#include "repositories/files/file_photo_store.h"

#include <filesystem>

namespace faceid::app {

const std::vector<PhotoStoreRow>& photo_stores() {
    namespace fs = std::filesystem;
    static const std::vector<PhotoStoreRow> table = {
        {"files",
         [](const AppConfig& config) {
             return std::make_unique<FilePhotoStore>(config.photos_dir.empty()
                                                         ? fs::path(config.data_dir) / "photos"
                                                         : fs::path(config.photos_dir));
         }},
    };
    return table;
}

std::unique_ptr<PhotoStore> open_photo_store(const AppConfig& config) {
    for (const auto& row : photo_stores())
        if (row.name == config.photo_store) return row.open(config);
    throw Error(ErrorCode::kInternal, "no photo store named '" + config.photo_store + "'");
}

}  // namespace faceid::app
