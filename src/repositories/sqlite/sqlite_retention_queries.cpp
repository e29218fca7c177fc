#include "repositories/sqlite/sqlite_retention_queries.h"

#include "core/error.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_rows.h"
#include "repositories/sqlite/sqlite_statement.h"

namespace faceid {

using namespace sqlite_rows;

namespace {

// A face of person ?2 that is not its primary (the retention policy never removes the primary).
constexpr const char* kSelectRemovableTemplate = "SELECT " FACEID_SQLITE_FACE_COLUMNS
                                                 " FROM faces WHERE id = ?1 AND person_id = ?2 AND id IS NOT "
                                                 "(SELECT primary_face_id FROM persons WHERE id = ?2)";

}  // namespace

SqliteRetentionQueries::SqliteRetentionQueries(std::shared_ptr<SqliteDatabase> database)
    : database_(std::move(database)) {
    if (!database_) throw Error(ErrorCode::kInternal, "SqliteRetentionQueries needs a database");
}

std::vector<std::string> SqliteRetentionQueries::persons_for_retention(int64_t created_before_ms,
                                                                       int max_faces) {
    return database_->read([&](SqliteConnection& connection) {
        // Old templates through the faces_by_creation index; large persons through faces_by_person.
        SqliteStatement select(connection,
                               "SELECT f.person_id FROM faces f JOIN persons p ON p.id = f.person_id "
                               "WHERE f.created_at < ?1 AND f.id IS NOT p.primary_face_id "
                               "UNION SELECT person_id FROM faces WHERE ?2 > 0 "
                               "GROUP BY person_id HAVING COUNT(*) > ?2");
        select.bind(1, created_before_ms).bind(2, int64_t(max_faces));
        std::vector<std::string> ids;
        while (select.step()) ids.push_back(select.column_text(0));
        return ids;
    });
}

std::vector<std::string> SqliteRetentionQueries::inactive_persons(int64_t before_ms) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection,
                               "SELECT p.id FROM persons p WHERE p.created_at < ?1 AND p.updated_at < ?1 "
                               "AND COALESCE(p.last_matched_at, 0) < ?1 AND NOT EXISTS "
                               "(SELECT 1 FROM faces f WHERE f.person_id = p.id AND f.created_at >= ?1)");
        select.bind(1, before_ms);
        std::vector<std::string> ids;
        while (select.step()) ids.push_back(select.column_text(0));
        return ids;
    });
}

std::vector<FaceRecord> SqliteRetentionQueries::remove_templates(const std::string& person_id,
                                                                 const std::vector<std::string>& face_ids) {
    if (face_ids.empty()) return {};
    return database_->write([&](SqliteConnection& connection) {
        std::vector<FaceRecord> removed;
        for (const std::string& face_id : face_ids) {
            SqliteStatement select(connection, kSelectRemovableTemplate);
            select.bind(1, face_id).bind(2, person_id);
            if (!select.step()) continue;
            read_face(select, removed.emplace_back());
            SqliteStatement remove(connection, "DELETE FROM faces WHERE id = ?1");
            remove.bind(1, face_id).run();
        }
        if (!removed.empty()) settle_primary(connection, person_id);
        return removed;
    });
}

}  // namespace faceid
