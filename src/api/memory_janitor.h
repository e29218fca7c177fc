#pragma once
// Gives freed memory back to the system after requests. glibc keeps what a thread freed in that thread's
// arena: a request with 200 MiB of header lines left RSS at +306 MiB after its connection closed, and
// neither MALLOC_ARENA_MAX=2 nor a lower M_TRIM_THRESHOLD changed that; malloc_trim(0) gave it all back.
// The transport calls note_freed() after each response and connection end; a thread trims at most once a
// second, and only when something was noted.
#include <condition_variable>
#include <mutex>
#include <thread>

namespace faceid {

class MemoryJanitor {
  public:
    MemoryJanitor();
    ~MemoryJanitor();
    MemoryJanitor(const MemoryJanitor&) = delete;
    MemoryJanitor& operator=(const MemoryJanitor&) = delete;

    static void note_freed();

  private:
    void run();
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

// Steady load (4 clients searching for 10 minutes) grew RSS from 130 to ~400 MiB with glibc's default of
// 8 arenas per core, each HTTP and pipeline thread keeping its own: about half that with 2 arenas, at the
// same throughput. Caps the arenas at the core count; an operator's MALLOC_ARENA_MAX or GLIBC_TUNABLES wins.
void cap_malloc_arenas();

}  // namespace faceid
