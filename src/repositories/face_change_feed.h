#pragma once
// An optional capability of a PersonRepository that several processes share (ClickHouse): the faces that
// other processes added or removed, so that each process can keep its in-memory vector index in step.
// A single-process store (SQLite) does not offer it: its own Gallery sees every write.
#include "core/records.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace faceid {

struct FaceChanges {
    std::vector<FaceRecord> added;  // live faces, complete records
    std::vector<uint64_t> removed;  // labels of deleted faces
    // Apply `added` first, then `removed`: a face added and deleted within one batch ends up removed.
    // Changes may repeat ones already applied (also the process's own writes): applying is idempotent.
    bool empty() const { return added.empty() && removed.empty(); }
};

// One follower's position in the stream of changes. Not thread-safe: one thread polls it.
class FaceChangeStream {
  public:
    virtual ~FaceChangeStream() = default;
    // Changes committed since the previous call (or since the stream was opened). Added faces for which
    // already_known(label) is true are left out (they are not even fetched: after a start-up load, the
    // first polls see many faces the index already has). Throws on storage errors; the position is then
    // unchanged and the call may be repeated.
    virtual FaceChanges poll(const std::function<bool(uint64_t label)>& already_known) = 0;
};

class FaceChangeFeed {
  public:
    virtual ~FaceChangeFeed() = default;
    // Opens a stream positioned at "now". Open it before loading all faces (for_each_face): every change
    // committed after the opening is then reported by poll(), so a load plus the stream miss nothing.
    virtual std::unique_ptr<FaceChangeStream> open_change_stream() = 0;
};

}  // namespace faceid
