#include "api/memory_janitor.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>

namespace faceid {
namespace {
std::atomic<bool> memory_freed{false};
}

MemoryJanitor::MemoryJanitor() : thread_([this] { run(); }) {}

MemoryJanitor::~MemoryJanitor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void MemoryJanitor::note_freed() {
    memory_freed.store(true, std::memory_order_relaxed);
}

void MemoryJanitor::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::seconds(1));
        if (memory_freed.exchange(false, std::memory_order_relaxed)) ::malloc_trim(0);
    }
}

void cap_malloc_arenas() {
    if (std::getenv("MALLOC_ARENA_MAX") || std::getenv("GLIBC_TUNABLES")) return;
    ::mallopt(M_ARENA_MAX, int(std::max(2u, std::thread::hardware_concurrency())));
}

}  // namespace faceid
