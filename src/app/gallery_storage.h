#pragma once
// The storage a Gallery runs on, chosen by the configuration and shared by serve, import, cleanup and search:
// the storage backend's bundle (app/storage_backends.cpp: persons and faces, API keys, audit log, change
// feed, background work), the photo store (app/photo_stores.cpp), the in-memory index, and for a backend
// other processes write to (ClickHouse) a change follower that keeps the index in step with them
// (docs/scaling-out.md).
#include "app/config.h"
#include "repositories/audit_log.h"
#include "repositories/photo_store.h"
#include "repositories/storage_backend.h"
#include "repositories/vector_index.h"
#include "services/change_follower.h"
#include "services/gallery.h"
#include "services/retention_service.h"

#include <filesystem>
#include <memory>
#include <string>

namespace faceid::app {

class GalleryStorage {
  public:
    // Opens (or creates) the storage and loads the index: from the snapshot a clean shutdown saved (the
    // backend's index_snapshot(), SQLite only) when it still matches storage, else from storage.
    explicit GalleryStorage(const AppConfig& config);
    ~GalleryStorage();

    Gallery& gallery() { return *gallery_; }
    // The same backend's API keys and audit log (backend().keys(), backend().audit()).
    StorageBackend& backend() { return *backend_; }
    std::string description() const { return backend_->description(); }

    // Serve only: follow other processes' changes and start the backend's background work (ClickHouse:
    // compaction every compact_minutes).
    void start_background_work();
    // Stops following and saves the index snapshot (if the backend has one), so the next start need not
    // rebuild it.
    void shut_down();

  private:
    std::unique_ptr<StorageBackend> backend_;  // first: outlives everything below
    std::unique_ptr<PhotoStore> photos_;
    std::unique_ptr<VectorIndex> index_;
    std::unique_ptr<Gallery> gallery_;
    std::unique_ptr<ChangeFollower> follower_;
    std::filesystem::path snapshot_;  // empty: no snapshot
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
