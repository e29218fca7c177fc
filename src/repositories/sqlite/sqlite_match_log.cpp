#include "repositories/sqlite/sqlite_match_log.h"

#include "core/error.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_statement.h"

namespace faceid {

SqliteMatchLog::SqliteMatchLog(std::shared_ptr<SqliteDatabase> database) : database_(std::move(database)) {
    if (!database_) throw Error(ErrorCode::kInternal, "SqliteMatchLog needs a database");
}

void SqliteMatchLog::record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) {
    if (matched_at.empty()) return;
    database_->write([&](SqliteConnection& connection) {
        for (const auto& [person_id, at] : matched_at) {
            SqliteStatement update(connection,
                                   "UPDATE persons SET last_matched_at = ?2 WHERE id = ?1 "
                                   "AND (last_matched_at IS NULL OR last_matched_at < ?2)");
            update.bind(1, person_id).bind(2, at).run();
        }
    });
}

}  // namespace faceid
