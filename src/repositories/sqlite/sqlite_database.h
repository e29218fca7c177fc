#pragma once
// The embedded database file: opens or creates it, sets it up for durable concurrent use (WAL,
// foreign_keys=ON, synchronous=FULL, busy_timeout), applies the schema migrations, and hands out
// connections. Writes go through one write connection, serialised by a mutex; reads use a pool of
// read connections that run beside the writer (WAL readers see the last committed snapshot).
// Thread-safe: share one instance (std::shared_ptr) between the repositories that use the file.
#include "repositories/sqlite/sqlite_connection.h"
#include "repositories/sqlite/sqlite_transaction.h"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace faceid {

struct SqliteOptions {
    int busy_timeout_ms = 10000;  // how long to wait for another process's lock before kUnavailable
    // true: synchronous=FULL, a write that returned survives kill -9 and power loss. false:
    // synchronous=OFF, only for bulk loads and benchmarks that rebuild the file on failure anyway.
    bool durable = true;
    size_t max_idle_readers = 8;  // read connections kept open between uses
};

class SqliteDatabase {
  public:
    explicit SqliteDatabase(std::filesystem::path file, SqliteOptions options = {});
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    const std::filesystem::path& file() const { return file_; }
    int schema_version();
    // "ok" when PRAGMA integrity_check finds nothing wrong, otherwise its report.
    std::string integrity_check();

    // Runs fn(SqliteConnection&) on the write connection inside BEGIN IMMEDIATE ... COMMIT; writers wait
    // for each other. If fn throws, the transaction is rolled back and the exception passes on.
    template <class Fn>
    auto write(Fn&& fn) -> std::invoke_result_t<Fn&, SqliteConnection&> {
        std::lock_guard lock(write_mutex_);
        SqliteTransaction transaction(*writer_, SqliteTransaction::Kind::kWrite);
        if constexpr (std::is_void_v<std::invoke_result_t<Fn&, SqliteConnection&>>) {
            fn(*writer_);
            transaction.commit();
        } else {
            auto result = fn(*writer_);
            transaction.commit();
            return result;
        }
    }

    // Runs fn(SqliteConnection&) on a read connection inside one read transaction (a consistent snapshot).
    template <class Fn>
    auto read(Fn&& fn) -> std::invoke_result_t<Fn&, SqliteConnection&> {
        ReaderLease lease(*this);
        SqliteTransaction transaction(lease.connection(), SqliteTransaction::Kind::kRead);
        if constexpr (std::is_void_v<std::invoke_result_t<Fn&, SqliteConnection&>>) {
            fn(lease.connection());
            transaction.commit();
        } else {
            auto result = fn(lease.connection());
            transaction.commit();
            return result;
        }
    }

  private:
    // A read connection taken from the pool for one read() and given back afterwards.
    class ReaderLease {
      public:
        explicit ReaderLease(SqliteDatabase& database);
        ~ReaderLease();
        ReaderLease(const ReaderLease&) = delete;
        ReaderLease& operator=(const ReaderLease&) = delete;
        SqliteConnection& connection() { return *connection_; }

      private:
        SqliteDatabase& database_;
        std::unique_ptr<SqliteConnection> connection_;
    };

    std::unique_ptr<SqliteConnection> open_connection(SqliteConnection::Mode mode);

    std::filesystem::path file_;
    SqliteOptions options_;
    std::mutex write_mutex_;
    std::unique_ptr<SqliteConnection> writer_;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
};

}  // namespace faceid
