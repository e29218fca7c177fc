#pragma once
// A readers-writer lock in which a waiting writer stops new readers from entering. glibc's
// std::shared_mutex prefers readers: under a steady stream of overlapping searches an add() would wait
// forever (seen in the contract test's concurrent-search case). Works with std::unique_lock and
// std::shared_lock.
#include <mutex>
#include <shared_mutex>

namespace faceid::index {

class WriterPriorityMutex {
  public:
    void lock() {
        gate_.lock();  // held while waiting: readers arriving now queue behind this writer
        rw_.lock();
    }
    void unlock() {
        rw_.unlock();
        gate_.unlock();
    }
    void lock_shared() {
        std::lock_guard pass(gate_);
        rw_.lock_shared();
    }
    void unlock_shared() { rw_.unlock_shared(); }

  private:
    std::mutex gate_;
    std::shared_mutex rw_;
};

}  // namespace faceid::index
