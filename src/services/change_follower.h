#pragma once
// Keeps this process's Gallery (its in-memory vector index) in step with storage that other processes
// write to: polls a FaceChangeStream on its own thread and applies what it reports. A failed poll is
// logged and retried at the next tick; the stream's position only moves on success, so nothing is lost.
#include "repositories/face_change_feed.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace faceid {

class Gallery;

struct ChangeFollowerStats {
    int64_t polls = 0;
    int64_t failed_polls = 0;
    int64_t faces_added = 0;
    int64_t faces_removed = 0;
};

class ChangeFollower {
  public:
    // Open the stream before Gallery::load_index() so that nothing committed during the load is missed.
    ChangeFollower(Gallery& gallery, std::unique_ptr<FaceChangeStream> stream,
                   std::chrono::milliseconds interval);
    ~ChangeFollower();  // stops the thread

    void start();
    void stop();
    // One poll on the calling thread (the thread does the same every interval). Returns false on failure.
    bool poll_once();
    ChangeFollowerStats stats() const;

  private:
    Gallery& gallery_;
    std::unique_ptr<FaceChangeStream> stream_;
    std::chrono::milliseconds interval_;
    mutable std::mutex mutex_;  // guards stats_, stopping_; poll_mutex_ serialises polls
    std::mutex poll_mutex_;
    std::condition_variable wakeup_;
    bool stopping_ = false;
    ChangeFollowerStats stats_;
    std::thread thread_;
};

}  // namespace faceid
