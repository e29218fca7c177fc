#pragma once
// FaceChangeStream over the faces table: every poll reads (label, version, deleted) of the rows whose
// version is above the high-water mark minus a window, skips the (label, version) pairs already reported,
// and fetches the complete rows of the new faces. Re-reading the window catches rows committed after rows
// with larger versions (an insert in flight on another replica, modest clock skew), at the cost of one
// scan of the version column per poll.
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/clickhouse/version_clock.h"
#include "repositories/face_change_feed.h"

#include <map>
#include <set>

namespace faceid {

class ClickHouseChangeStream : public FaceChangeStream {
  public:
    // Positions the stream at the largest version stored now.
    ClickHouseChangeStream(const ClickHouseClient& client, VersionClock& clock, int64_t window_us);
    FaceChanges poll(const std::function<bool(uint64_t label)>& already_known) override;

  private:
    const ClickHouseClient& client_;
    VersionClock& clock_;
    uint64_t window_;
    uint64_t high_water_ = 0;
    // (version, label) of the rows reported whose version is still inside the window.
    std::set<std::pair<uint64_t, uint64_t>> reported_;
};

}  // namespace faceid
