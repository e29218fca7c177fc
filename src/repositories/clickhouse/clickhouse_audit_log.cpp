#include "repositories/clickhouse/clickhouse_audit_log.h"

#include "core/error.h"
#include "core/ids.h"
#include "repositories/clickhouse/clickhouse_schema.h"
#include "repositories/clickhouse/clickhouse_sql.h"
#include "repositories/clickhouse/row_binary.h"

#include <algorithm>

namespace faceid {
namespace {

constexpr const char* kAuditTable =
    "audit (seq, at, key_id, key_name, role, action, status, subject_ids, result_ids)";

std::string id_list_text(const nlohmann::json& ids) {
    return ids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json id_list(std::string_view text) {
    auto value = nlohmann::json::parse(text, nullptr, false);
    return value.is_array() ? value : nlohmann::json::array();
}

}  // namespace

ClickHouseAuditLog::ClickHouseAuditLog(ClickHouseSettings settings)
    : client_(std::move(settings)), tag_(int64_t(random_label() & ((1u << kTagBits) - 1))) {
    migrate_clickhouse_schema(client_);
    const std::string text = client_.query("SELECT max(seq) FROM audit FORMAT TabSeparated");
    observe(std::stoll(text.empty() ? "0" : text));
}

void ClickHouseAuditLog::observe(int64_t seq) {
    if (seq > 0) clock_.observe(uint64_t(seq) >> kTagBits);
}

int64_t ClickHouseAuditLog::append(const AuditEntry& entry) {
    // Microseconds fit in 52 bits until the year 2112, leaving 11 for the tag in a positive Int64.
    const int64_t seq = int64_t(clock_.next() << kTagBits) | tag_;
    RowBinaryWriter row;
    row.i64(seq)
        .i64(entry.at_ms)
        .string(entry.key_id)
        .string(entry.key_name)
        .string(entry.role)
        .string(entry.action)
        .i32(entry.status)
        .string(id_list_text(entry.subject_ids))
        .string(id_list_text(entry.result_ids));
    client_.insert(kAuditTable, row.bytes());
    return seq;
}

AuditPage ClickHouseAuditLog::list(const AuditQuery& query) {
    const int limit = std::clamp(query.limit, 1, 1000);
    std::string where = "1";
    if (query.before_seq) where += " AND seq < " + std::to_string(*query.before_seq);
    if (query.action) where += " AND action = " + quote_string(*query.action);
    if (query.key_id) where += " AND key_id = " + quote_string(*query.key_id);
    const std::string body = client_.query(
        "SELECT seq, at, key_id, key_name, role, action, status, subject_ids, result_ids FROM audit WHERE " +
        where + " ORDER BY seq DESC LIMIT " + std::to_string(limit + 1) + " FORMAT RowBinary");
    RowBinaryReader reader(body);
    AuditPage page;
    while (!reader.at_end()) {
        AuditEntry& entry = page.entries.emplace_back();
        entry.seq = reader.i64();
        entry.at_ms = reader.i64();
        entry.key_id = reader.string();
        entry.key_name = reader.string();
        entry.role = reader.string();
        entry.action = reader.string();
        entry.status = reader.i32();
        entry.subject_ids = id_list(reader.string_view());
        entry.result_ids = id_list(reader.string_view());
    }
    if (!page.entries.empty()) observe(page.entries.front().seq);
    // One row more than asked says whether another page follows.
    if (int(page.entries.size()) > limit) {
        page.entries.pop_back();
        page.next_before_seq = page.entries.back().seq;
    }
    return page;
}

}  // namespace faceid
