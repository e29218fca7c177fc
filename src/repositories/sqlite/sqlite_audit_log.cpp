#include "repositories/sqlite/sqlite_audit_log.h"

#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_statement.h"

#include <sqlite3.h>

#include <algorithm>

namespace faceid {
namespace {

// Optional filters are bound as NULL and switched off in SQL, so one cached statement serves every query.
constexpr const char* kSelectPage =
    "SELECT seq, at, key_id, key_name, role, action, status, subject_ids, result_ids FROM audit_log "
    "WHERE (?1 IS NULL OR seq < ?1) AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR key_id = ?3) "
    "ORDER BY seq DESC LIMIT ?4";

nlohmann::json id_list(std::string_view text) {
    auto value = nlohmann::json::parse(text, nullptr, false);
    return value.is_array() ? value : nlohmann::json::array();
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(std::shared_ptr<SqliteDatabase> database) : database_(std::move(database)) {}

int64_t SqliteAuditLog::append(const AuditEntry& entry) {
    const std::string subjects =
        entry.subject_ids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string results =
        entry.result_ids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return database_->write([&](SqliteConnection& connection) {
        SqliteStatement insert(
            connection,
            "INSERT INTO audit_log (at, key_id, key_name, role, action, status, subject_ids, "
            "result_ids) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        insert.bind(1, entry.at_ms)
            .bind(2, entry.key_id)
            .bind(3, entry.key_name)
            .bind(4, entry.role)
            .bind(5, entry.action)
            .bind(6, int64_t(entry.status))
            .bind(7, subjects)
            .bind(8, results)
            .run();
        return int64_t(sqlite3_last_insert_rowid(connection.handle()));
    });
}

AuditPage SqliteAuditLog::list(const AuditQuery& query) {
    const int limit = std::clamp(query.limit, 1, 1000);
    return database_->read([&](SqliteConnection& connection) {
        AuditPage page;
        SqliteStatement select(connection, kSelectPage);
        if (query.before_seq)
            select.bind(1, *query.before_seq);
        else
            select.bind_null(1);
        select.bind(2, query.action).bind(3, query.key_id).bind(4, int64_t(limit) + 1);
        while (select.step()) {
            AuditEntry entry;
            entry.seq = select.column_int64(0);
            entry.at_ms = select.column_int64(1);
            entry.key_id = select.column_text(2);
            entry.key_name = select.column_text(3);
            entry.role = select.column_text(4);
            entry.action = select.column_text(5);
            entry.status = int(select.column_int64(6));
            entry.subject_ids = id_list(select.column_text_view(7));
            entry.result_ids = id_list(select.column_text_view(8));
            page.entries.push_back(std::move(entry));
        }
        // One row more than asked says whether another page follows.
        if (int(page.entries.size()) > limit) {
            page.entries.pop_back();
            page.next_before_seq = page.entries.back().seq;
        }
        return page;
    });
}

}  // namespace faceid
