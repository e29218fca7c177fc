// ClickHousePersonRepository's change feed (FaceChangeFeed) and background compaction.
#include "repositories/clickhouse/clickhouse_person_repository.h"

#include "core/clock.h"
#include "repositories/clickhouse/clickhouse_change_stream.h"

#include <spdlog/spdlog.h>

namespace faceid {

std::unique_ptr<FaceChangeStream> ClickHousePersonRepository::open_change_stream() {
    return std::make_unique<ClickHouseChangeStream>(client_, clock_, options_.change_window_us);
}

void ClickHousePersonRepository::compact() {
    for (const char* statement : {"OPTIMIZE TABLE persons FINAL", "OPTIMIZE TABLE api_keys FINAL",
                                  "OPTIMIZE TABLE photos FINAL", "OPTIMIZE TABLE person_matches FINAL",
                                  "OPTIMIZE TABLE photo_history FINAL", "OPTIMIZE TABLE faces"})
        client_.query(statement);
}

void ClickHousePersonRepository::start_background_compaction(std::chrono::seconds interval) {
    if (compaction_thread_.joinable()) return;
    compaction_thread_ = std::thread([this, interval] {
        std::unique_lock lock(compaction_mutex_);
        while (!compaction_wakeup_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            try {
                const double start = monotonic_seconds();
                compact();
                spdlog::info("ClickHouse compaction took {:.2f} s", monotonic_seconds() - start);
            } catch (const std::exception& error) {
                spdlog::warn("ClickHouse compaction failed: {}", error.what());
            }
            lock.lock();
        }
    });
}

}  // namespace faceid
