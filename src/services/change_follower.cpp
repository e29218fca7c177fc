#include "services/change_follower.h"

#include "services/gallery.h"

#include <spdlog/spdlog.h>

namespace faceid {

ChangeFollower::ChangeFollower(Gallery& gallery, std::unique_ptr<FaceChangeStream> stream,
                               std::chrono::milliseconds interval)
    : gallery_(gallery), stream_(std::move(stream)), interval_(interval) {}

ChangeFollower::~ChangeFollower() {
    stop();
}

void ChangeFollower::start() {
    if (thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!wakeup_.wait_for(lock, interval_, [this] { return stopping_; })) {
            lock.unlock();
            poll_once();
            lock.lock();
        }
    });
}

void ChangeFollower::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wakeup_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool ChangeFollower::poll_once() {
    std::lock_guard poll_lock(poll_mutex_);
    try {
        const FaceChanges changes =
            stream_->poll([this](uint64_t label) { return gallery_.contains(label); });
        const auto [added, removed] = gallery_.apply_changes(changes);
        if (added || removed)
            spdlog::info("change feed: {} faces added, {} removed by other replicas", added, removed);
        std::lock_guard lock(mutex_);
        ++stats_.polls;
        stats_.faces_added += int64_t(added);
        stats_.faces_removed += int64_t(removed);
        return true;
    } catch (const std::exception& error) {
        bool log;
        {
            std::lock_guard lock(mutex_);
            log = stats_.failed_polls++ % 30 == 0;  // at most every 30th failure, not every second
        }
        if (log) spdlog::warn("change feed poll failed (will retry): {}", error.what());
        return false;
    }
}

ChangeFollowerStats ChangeFollower::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

}  // namespace faceid
