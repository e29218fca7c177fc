#include "repositories/clickhouse/clickhouse_change_stream.h"

#include "repositories/clickhouse/clickhouse_face_rows.h"
#include "repositories/clickhouse/row_binary.h"

#include <string>
#include <vector>

namespace faceid {

ClickHouseChangeStream::ClickHouseChangeStream(const ClickHouseClient& client, VersionClock& clock,
                                               int64_t window_us)
    : client_(client), clock_(clock), window_(uint64_t(std::max<int64_t>(0, window_us))) {
    const std::string text = client_.query("SELECT max(version) FROM faces FORMAT TabSeparated");
    high_water_ = std::stoull(text.empty() ? "0" : text);
}

FaceChanges ClickHouseChangeStream::poll(const std::function<bool(uint64_t label)>& already_known) {
    const uint64_t from = high_water_ > window_ ? high_water_ - window_ : 0;
    const std::string body = client_.query("SELECT label, version, deleted FROM faces WHERE version > " +
                                           std::to_string(from) + " FORMAT RowBinary");
    RowBinaryReader reader(body);
    std::vector<std::pair<uint64_t, uint64_t>> fresh;  // (version, label)
    std::vector<uint64_t> removed, to_fetch;
    uint64_t high_water = high_water_;
    while (!reader.at_end()) {
        const uint64_t label = reader.u64();
        const uint64_t version = reader.u64();
        const bool deleted = reader.u8() != 0;
        if (reported_.count({version, label})) continue;
        fresh.emplace_back(version, label);
        if (deleted)
            removed.push_back(label);
        else if (!already_known || !already_known(label))
            to_fetch.push_back(label);
        high_water = std::max(high_water, version);
    }

    FaceChanges changes;
    constexpr size_t kLabelsPerQuery = 10000;
    for (size_t start = 0; start < to_fetch.size(); start += kLabelsPerQuery) {
        std::string in;
        for (size_t i = start; i < std::min(to_fetch.size(), start + kLabelsPerQuery); ++i) {
            if (!in.empty()) in += ',';
            in += std::to_string(to_fetch[i]);
        }
        // A face deleted meanwhile is left out here; its tombstone comes in this poll or the next.
        const std::string rows =
            client_.query(std::string("SELECT ") + kFaceColumns + " FROM faces WHERE " +
                          live_faces_filter("label IN (" + in + ")") + " FORMAT RowBinary");
        RowBinaryReader face_reader(rows);
        while (!face_reader.at_end()) read_face_row(face_reader, changes.added.emplace_back());
    }
    changes.removed = std::move(removed);

    // Only now, with every query done, move the position: a failed poll can simply be repeated.
    for (const auto& key : fresh) reported_.insert(key);
    high_water_ = high_water;
    clock_.observe(high_water_);
    const uint64_t horizon = high_water_ > window_ ? high_water_ - window_ : 0;
    reported_.erase(reported_.begin(), reported_.lower_bound({horizon + 1, 0}));
    return changes;
}

}  // namespace faceid
