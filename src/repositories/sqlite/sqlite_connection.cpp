#include "repositories/sqlite/sqlite_connection.h"

#include "core/case_fold.h"
#include "core/error.h"

#include <sqlite3.h>

namespace faceid {
namespace {

// SQL faceid_fold(text): the text case-folded by fold_case (SQLite's own lower() and LIKE fold ASCII
// only), so that name filters match "José" for "JOSÉ" as ClickHouse does.
void sql_fold(sqlite3_context* context, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(context);
        return;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const std::string folded = fold_case(std::string_view(text, size_t(sqlite3_value_bytes(argv[0]))));
    sqlite3_result_text(context, folded.data(), int(folded.size()), SQLITE_TRANSIENT);
}

}  // namespace

void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
    std::string message = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    int extended = db ? sqlite3_extended_errcode(db) : rc;
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY)
        throw Error(ErrorCode::kConflict, message);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        throw Error(ErrorCode::kUnavailable, message);
    if ((rc & 0xff) == SQLITE_FULL) throw Error(ErrorCode::kInsufficientStorage, message);
    throw Error(ErrorCode::kStorageError, message);
}

SqliteConnection::SqliteConnection(const std::filesystem::path& file, Mode mode, int busy_timeout_ms) {
    // NOMUTEX: each connection is used by one thread at a time, so SQLite's own per-connection mutex
    // would only cost time.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (mode == Mode::kCreate) flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message =
            "cannot open " + file.string() + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Error(ErrorCode::kStorageError, message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    rc = sqlite3_create_function_v2(db_, "faceid_fold", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr, sql_fold,
                                    nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Error(ErrorCode::kStorageError, "cannot register the SQL function faceid_fold");
    }
}

SqliteConnection::~SqliteConnection() {
    for (auto& [sql, statements] : idle_statements_)
        for (sqlite3_stmt* stmt : statements) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

void SqliteConnection::exec(const char* sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    sqlite3_free(error);  // the same text is available from sqlite3_errmsg
    if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "sqlite exec");
}

std::string SqliteConnection::query_text(const char* sql) {
    sqlite3_stmt* stmt = acquire_statement(sql);
    std::string result;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(stmt, 0);
        if (text) result.assign(reinterpret_cast<const char*>(text), size_t(sqlite3_column_bytes(stmt, 0)));
        while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);  // run pragmas that report several rows to the end
    }
    release_statement(sql, stmt);
    if (rc != SQLITE_DONE) throw_sqlite_error(db_, rc, "sqlite query");
    return result;
}

int64_t SqliteConnection::changes() const {
    return sqlite3_changes64(db_);
}

sqlite3_stmt* SqliteConnection::acquire_statement(std::string_view sql) {
    auto found = idle_statements_.find(std::string(sql));
    if (found != idle_statements_.end() && !found->second.empty()) {
        sqlite3_stmt* stmt = found->second.back();
        found->second.pop_back();
        return stmt;
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "sqlite prepare");
    if (!stmt) throw Error(ErrorCode::kInternal, "empty SQL statement");
    return stmt;
}

void SqliteConnection::release_statement(std::string_view sql, sqlite3_stmt* stmt) noexcept {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    try {
        idle_statements_[std::string(sql)].push_back(stmt);
    } catch (...) {
        sqlite3_finalize(stmt);  // out of memory: drop it from the cache instead
    }
}

}  // namespace faceid
