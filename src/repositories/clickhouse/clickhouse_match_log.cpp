// ClickHousePersonRepository as MatchLog: one row per noted match in person_matches.
#include "repositories/clickhouse/clickhouse_person_repository.h"

#include "repositories/clickhouse/row_binary.h"

namespace faceid {

void ClickHousePersonRepository::record_matches(
    const std::vector<std::pair<std::string, int64_t>>& matched_at) {
    if (matched_at.empty()) return;
    // Rows for unknown ids are harmless: every read joins them to live persons.
    RowBinaryWriter rows;
    for (const auto& [person_id, at] : matched_at) rows.string(person_id).i64(at);
    client_.insert("person_matches (person_id, matched_at)", rows.bytes());
}

}  // namespace faceid
