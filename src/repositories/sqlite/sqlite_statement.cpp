#include "repositories/sqlite/sqlite_statement.h"

#include "repositories/sqlite/sqlite_connection.h"

#include <sqlite3.h>

namespace faceid {

namespace {
void check_bind(sqlite3_stmt* stmt, int rc) {
    if (rc != SQLITE_OK) throw_sqlite_error(sqlite3_db_handle(stmt), rc, "sqlite bind");
}
}  // namespace

SqliteStatement::SqliteStatement(SqliteConnection& connection, std::string_view sql)
    : connection_(connection), sql_(sql), stmt_(connection.acquire_statement(sql)) {}

SqliteStatement::~SqliteStatement() {
    connection_.release_statement(sql_, stmt_);
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
    check_bind(stmt_, sqlite3_bind_int64(stmt_, index, value));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double value) {
    check_bind(stmt_, sqlite3_bind_double(stmt_, index, value));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
    check_bind(stmt_,
               sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<std::string>& text) {
    return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

SqliteStatement& SqliteStatement::bind_blob(int index, std::span<const std::byte> bytes) {
    // A zero-length blob must still be a blob, not NULL: sqlite3_bind_blob64 with a null pointer binds NULL.
    static const std::byte kEmpty{};
    const void* data = bytes.empty() ? &kEmpty : bytes.data();
    check_bind(stmt_, sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT));
    return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
    check_bind(stmt_, sqlite3_bind_null(stmt_, index));
    return *this;
}

bool SqliteStatement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_sqlite_error(sqlite3_db_handle(stmt_), rc, "sqlite step");
}

void SqliteStatement::run() {
    while (step()) {
    }
}

bool SqliteStatement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t SqliteStatement::column_int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::column_double(int column) const {
    return sqlite3_column_double(stmt_, column);
}

std::string SqliteStatement::column_text(int column) const {
    return std::string(column_text_view(column));
}

std::optional<std::string> SqliteStatement::column_optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return column_text(column);
}

std::string_view SqliteStatement::column_text_view(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    if (!text) return {};
    return {reinterpret_cast<const char*>(text), size_t(sqlite3_column_bytes(stmt_, column))};
}

std::span<const std::byte> SqliteStatement::column_blob(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    if (!data) return {};
    return {static_cast<const std::byte*>(data), size_t(sqlite3_column_bytes(stmt_, column))};
}

}  // namespace faceid
