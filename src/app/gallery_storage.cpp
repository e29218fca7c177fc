#include "app/gallery_storage.h"

#include "api/resource_json.h"
#include "app/photo_stores.h"
#include "app/storage_backends.h"
#include "core/clock.h"
#include "core/error.h"
#include "repositories/index/index_factory.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace faceid::app {

namespace fs = std::filesystem;

void require_existing_gallery(const AppConfig& config) {
    if (config.storage != "sqlite") return;
    const fs::path file = fs::path(config.data_dir) / "faceid.db";
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw Error(ErrorCode::kNotFound,
                    "no gallery in " + config.data_dir + " (" + file.string() +
                        " does not exist): check --data; faceid serve or import creates one");
}

GalleryStorage::GalleryStorage(const AppConfig& config) {
    fs::create_directories(config.data_dir);
    backend_ = open_storage_backend(config);
    const PersonStores stores = backend_->person_stores();
    photos_ = open_photo_store(config);
    IndexConfig index_config;
    index_config.kind = config.index;
    index_ = make_vector_index(index_config);
    gallery_ = std::make_unique<Gallery>(stores, *photos_, *index_);
    spdlog::info("photos in {}", photos_->description());
    // A process on a shared backend opens its change stream before the load, so that what other processes
    // write meanwhile is not lost, and does not use a saved index: the others write while it is down, so a
    // snapshot would be stale, and checking it would read every face twice.
    if (FaceChangeFeed* feed = backend_->change_feed()) {
        // Replicas share the photo store too: deleting an unreferenced photo follows the cross-process rule.
        gallery_->set_blob_grace(config.photo_delete_grace_seconds);
        follower_ =
            std::make_unique<ChangeFollower>(*gallery_, feed->open_change_stream(),
                                             std::chrono::milliseconds(std::max(50, config.change_poll_ms)));
    } else {
        snapshot_ = backend_->index_snapshot();
    }
    const auto loaded = gallery_->load_index(snapshot_);
    spdlog::info("index {}: {} faces {} in {:.2f} s", index_->name(), loaded.faces,
                 loaded.from_snapshot ? "loaded from the saved index" : "loaded from storage",
                 loaded.seconds);
}

GalleryStorage::~GalleryStorage() {
    if (follower_) follower_->stop();
}

void GalleryStorage::start_background_work() {
    if (follower_) follower_->start();
    backend_->start_background_work();
}

void GalleryStorage::shut_down() {
    if (follower_) follower_->stop();
    if (snapshot_.empty()) return;
    try {
        gallery_->save_index(snapshot_);
    } catch (const std::exception& e) {
        spdlog::warn("could not save the index: {}", e.what());
    }
}

void log_cleanup_report(const CleanupReport& report) {
    spdlog::info("retention{}: {} templates and {} persons ({} templates) removed, {} bytes reclaimed: {}",
                 report.dry_run ? " (dry run)" : "", report.templates.size(), report.persons.size(),
                 report.person_templates_removed, report.bytes_reclaimed, cleanup_report_json(report).dump());
}

void audit_cleanup(const CleanupReport& report, AuditLog& audit, const std::string& actor) {
    if (report.dry_run || (report.templates.empty() && report.persons.empty())) return;
    AuditEntry entry;
    entry.at_ms = now_ms();
    entry.key_id = actor;
    entry.key_name = actor;
    entry.role = "admin";
    entry.action = "retention.cleanup";
    entry.status = 0;  // not an HTTP request
    entry.result_ids = cleanup_removed_ids(report);
    try {
        audit.append(entry);
    } catch (const std::exception& e) {
        spdlog::error("audit log write failed for retention.cleanup by {}: {}", actor, e.what());
    }
}

}  // namespace faceid::app
