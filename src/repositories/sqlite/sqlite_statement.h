#pragma once
// A prepared statement borrowed from a connection's cache for one use: bind parameters (1-based), step
// through rows, read columns (0-based). The destructor resets it and gives it back. Every value from
// outside goes in through bind(), never into the SQL text.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace faceid {

class SqliteConnection;

class SqliteStatement {
  public:
    // sql must outlive the statement (it is the cache key): pass a string literal or constant.
    SqliteStatement(SqliteConnection& connection, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    SqliteStatement& bind(int index, int64_t value);
    SqliteStatement& bind(int index, double value);
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    SqliteStatement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    SqliteStatement& bind(int index, const std::optional<std::string>& text);  // nullopt binds NULL
    SqliteStatement& bind_blob(int index, std::span<const std::byte> bytes);
    SqliteStatement& bind_null(int index);

    // Advances to the next row: true if there is one, false when the statement has finished.
    bool step();
    // Runs a statement that returns no rows.
    void run();

    bool is_null(int column) const;
    int64_t column_int64(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    std::optional<std::string> column_optional_text(int column) const;
    // Valid until the next step() or the statement's end.
    std::string_view column_text_view(int column) const;
    std::span<const std::byte> column_blob(int column) const;

  private:
    SqliteConnection& connection_;
    std::string_view sql_;
    sqlite3_stmt* stmt_;
};

}  // namespace faceid
