#pragma once
// One writing process per SQLite data folder: serve, import and cleanup hold an exclusive flock on
// <data>/faceid.lock for their lifetime, so a second one is refused with a clear message instead of two
// writers sharing a database and an index snapshot. `faceid keys` and read-only commands take no lock.
// ClickHouse storage takes none either: its replicas share the photo folder on purpose.
#include "app/config.h"

#include <filesystem>
#include <memory>
#include <string>

namespace faceid::app {

class DataFolderLock {
  public:
    // Throws Error(kConflict) naming the holder when another process holds the folder; `command` and
    // `advice` go into the lock file and the message (e.g. "import", "import through it with --url").
    DataFolderLock(const std::filesystem::path& data_dir, const std::string& command,
                   const std::string& advice);
    ~DataFolderLock();
    DataFolderLock(const DataFolderLock&) = delete;
    DataFolderLock& operator=(const DataFolderLock&) = delete;

  private:
    int fd_ = -1;
};

// The lock for a command that writes the gallery, or null when the storage is not a local SQLite folder.
std::unique_ptr<DataFolderLock> lock_data_folder(const AppConfig& config, const std::string& command,
                                                 const std::string& advice);

}  // namespace faceid::app
