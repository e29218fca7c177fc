#pragma once
// A fixed set of threads with a bounded queue: the HTTP handlers (inference takes 0.1-5 s) run here, off the
// transport's event loop. A full queue refuses new work at once (the transport answers 503) instead of
// letting waiting requests pile up without bound.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace faceid {

class WorkerPool {
  public:
    // `threads` workers; at most `queue_capacity` tasks wait beyond those being run.
    WorkerPool(size_t threads, size_t queue_capacity);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Queues the task, or returns false (and drops it) when the queue is full or the pool is stopping.
    bool try_submit(std::function<void()> task);
    // Whether the queue is full now (a hint: it may drain at any moment).
    bool full();
    // Runs every queued task to its end, then joins the threads; later submissions are refused.
    void shutdown();
    size_t threads() const { return threads_.size(); }

  private:
    void run();

    const size_t capacity_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace faceid
