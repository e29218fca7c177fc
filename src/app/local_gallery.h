#pragma once
// The embedded storage of one data folder (SQLite database, photo files, in-memory index) wired into a
// Gallery: shared by serve, import and cleanup.
#include "repositories/files/file_photo_store.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_repository.h"
#include "repositories/vector_index.h"
#include "services/gallery.h"
#include "services/retention_service.h"

#include <filesystem>
#include <memory>
#include <string>

namespace faceid::app {

class LocalGallery {
  public:
    // Opens (or creates) <data>/faceid.db and <data>/photos and loads the index (from the snapshot a
    // clean shutdown of serve saved, <data>/index.snapshot, when it still matches storage).
    LocalGallery(const std::filesystem::path& data, const std::string& index_kind);

    Gallery& gallery() { return gallery_; }
    const std::string& description() const { return description_; }
    const std::filesystem::path& snapshot() const { return snapshot_; }

  private:
    std::shared_ptr<SqliteDatabase> database_;
    SqlitePersonRepository persons_;
    FilePhotoStore photos_;
    std::unique_ptr<VectorIndex> index_;
    Gallery gallery_;
    std::string description_;
    std::filesystem::path snapshot_;
};

// What the retention job does with a report: log it (the audit log of the security branch hooks in here).
void log_cleanup_report(const CleanupReport& report);

}  // namespace faceid::app
