#include "app/background_jobs.h"

#include "app/gallery_storage.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace faceid::app {

BackgroundJobs::BackgroundJobs(Gallery& gallery, RetentionService& retention, AuditLog& audit)
    : gallery_(gallery), retention_(retention), audit_(audit) {
    thread_ = std::thread([this] { loop(); });
}

BackgroundJobs::~BackgroundJobs() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    flush_matches();
}

void BackgroundJobs::loop() {
    const auto interval = std::chrono::minutes(retention_.policy().interval_minutes);
    auto next_cleanup = std::chrono::steady_clock::now() + interval;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::seconds(60), [&] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        flush_matches();
        try {
            gallery_.sweep_deferred_blobs();  // photos whose deletion waited (grace period, store down)
        } catch (const std::exception& e) {
            spdlog::warn("deferred photo deletions: {}", e.what());
        }
        if (interval.count() > 0 && retention_.policy().any_rule() &&
            std::chrono::steady_clock::now() >= next_cleanup) {
            try {
                audit_cleanup(retention_.run(/*dry_run=*/false), audit_, "retention-job");
            } catch (const std::exception& e) {
                spdlog::error("retention job: {}", e.what());
            }
            next_cleanup = std::chrono::steady_clock::now() + interval;
        }
        lock.lock();
    }
}

void BackgroundJobs::flush_matches() {
    try {
        gallery_.flush_matches();
    } catch (const std::exception& e) {
        spdlog::warn("could not record search matches: {}", e.what());
    }
}

}  // namespace faceid::app
