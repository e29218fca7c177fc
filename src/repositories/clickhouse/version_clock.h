#pragma once
// Row versions for the ReplacingMergeTree tables: microseconds since the epoch, strictly increasing within
// a process, and pushed past every version the process has seen (a hybrid logical clock), so that a row
// written after reading another one always gets a larger version, even if another replica's clock runs
// ahead. Replicas' clocks should still be kept in step (NTP): the change feed re-reads a window of recent
// versions to catch rows committed late, and that window bounds the skew it tolerates.
#include <atomic>
#include <cstdint>

namespace faceid {

class VersionClock {
  public:
    // A new version larger than every one handed out or observed so far, and larger than at_least.
    uint64_t next(uint64_t at_least = 0);
    // Notes a version read from storage.
    void observe(uint64_t version);

  private:
    std::atomic<uint64_t> last_{0};
};

}  // namespace faceid
