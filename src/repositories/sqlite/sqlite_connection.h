#pragma once
// One open SQLite connection (RAII over sqlite3*) with a cache of prepared statements. A connection is
// used by one thread at a time; SqliteDatabase hands connections out and serialises the writer.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace faceid {

// Throws the faceid::Error that matches an SQLite result code: a UNIQUE/PRIMARY KEY violation is
// kConflict, a lock that outlived busy_timeout is kUnavailable, anything else kStorageError.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

class SqliteConnection {
  public:
    enum class Mode { kCreate, kReadWrite };

    SqliteConnection(const std::filesystem::path& file, Mode mode, int busy_timeout_ms);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    // Runs SQL that has no parameters (pragmas, schema scripts, BEGIN/COMMIT). Never pass user input here.
    void exec(const char* sql);
    // The single value of a query without parameters, as text (e.g. a pragma's result).
    std::string query_text(const char* sql);

    // Prepared statements are cached by their SQL text. acquire returns an idle one (or prepares a new
    // one, so that the same SQL may be in use twice at once); release resets it and keeps it for reuse.
    sqlite3_stmt* acquire_statement(std::string_view sql);
    void release_statement(std::string_view sql, sqlite3_stmt* stmt) noexcept;

    // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    int64_t changes() const;

    sqlite3* handle() const { return db_; }

  private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_statements_;
};

}  // namespace faceid
