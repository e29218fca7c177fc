#pragma once
// The storage a Gallery runs on, chosen by the configuration and shared by serve, import and cleanup:
// - storage "sqlite" (default): <data>/faceid.db, photo files, the in-memory index and its snapshot;
// - storage "clickhouse": a ClickHouse server shared with other replicas, the shared photo folder, and a
//   change follower that keeps this process's index in step with what the others write
//   (docs/scaling-out.md).
// API keys and the audit log are opened beside it by AccessStores (app/access_stores.h), on the same
// backend.
#include "app/config.h"
#include "repositories/audit_log.h"
#include "repositories/files/file_photo_store.h"
#include "repositories/person_repository.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/vector_index.h"
#include "services/change_follower.h"
#include "services/gallery.h"
#include "services/retention_service.h"

#include <filesystem>
#include <memory>
#include <string>

namespace faceid {
class ClickHousePersonRepository;
}

namespace faceid::app {

class GalleryStorage {
  public:
    // Opens (or creates) the storage and loads the index: from the snapshot a clean shutdown of serve
    // saved (<data>/index.snapshot, SQLite only) when it still matches storage, else from storage.
    explicit GalleryStorage(const AppConfig& config);
    ~GalleryStorage();

    Gallery& gallery() { return *gallery_; }
    // The local SQLite file with storage "sqlite" (for AccessStores to share); null with ClickHouse, where
    // nothing is kept in the data folder.
    const std::shared_ptr<SqliteDatabase>& database() const { return database_; }
    const std::string& description() const { return description_; }

    // Serve only: follow other replicas' changes and compact ClickHouse periodically (no-op on SQLite).
    void start_background_work(const AppConfig& config);
    // Stops following and saves the index snapshot (SQLite only), so the next start need not rebuild it.
    void shut_down();

  private:
    std::shared_ptr<SqliteDatabase> database_;  // storage "sqlite" only
    std::unique_ptr<PersonRepository> persons_;
    ClickHousePersonRepository* clickhouse_ = nullptr;  // persons_, when storage is ClickHouse
    std::unique_ptr<FilePhotoStore> photos_;
    std::unique_ptr<VectorIndex> index_;
    std::unique_ptr<Gallery> gallery_;
    std::unique_ptr<ChangeFollower> follower_;
    std::string description_;
    std::filesystem::path snapshot_;  // empty: no snapshot (ClickHouse)
};

// Commands that only use an existing gallery (keys, cleanup, search) call this first: with SQLite storage
// and no <data>/faceid.db it throws Error(kNotFound) instead of creating an empty gallery at a mistyped
// --data. Only serve and import create a gallery.
void require_existing_gallery(const AppConfig& config);

// The retention service's report sink: logs every run that removed something (or would have).
void log_cleanup_report(const CleanupReport& report);
// Records a retention run that removed something in the audit log under `actor` ("retention-job" for the
// background job, "cli" for faceid cleanup). Runs through POST /admin/cleanup are audited by the route
// wrapper under the caller's key instead.
void audit_cleanup(const CleanupReport& report, AuditLog& audit, const std::string& actor);

}  // namespace faceid::app
