#include "repositories/sqlite/sqlite_database.h"

#include "core/error.h"
#include "repositories/sqlite/sqlite_schema.h"

namespace faceid {

SqliteDatabase::SqliteDatabase(std::filesystem::path file, SqliteOptions options)
    : file_(std::move(file)), options_(options) {
    if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
    writer_ = open_connection(SqliteConnection::Mode::kCreate);
    // A face row (2 KiB embedding + the rest, about 2.5 KiB) does not fit in a 4 KiB page's local payload
    // and would spill into a mostly empty overflow page; 16 KiB pages keep rows whole, halve the file and
    // make the start-up scan sequential. Takes effect only on a new file (before WAL is switched on).
    writer_->exec("PRAGMA page_size = 16384");
    // WAL is a property of the file (it stays on); it cannot be switched inside a transaction.
    std::string mode = writer_->query_text("PRAGMA journal_mode = WAL");
    if (mode != "wal")
        throw Error(ErrorCode::kStorageError,
                    "cannot switch " + file_.string() + " to WAL mode (got '" + mode + "')");
    apply_sqlite_migrations(*writer_, sqlite_schema_migrations());
}

SqliteDatabase::~SqliteDatabase() = default;

std::unique_ptr<SqliteConnection> SqliteDatabase::open_connection(SqliteConnection::Mode mode) {
    auto connection = std::make_unique<SqliteConnection>(file_, mode, options_.busy_timeout_ms);
    // Both are per-connection settings and are off by default in SQLite.
    connection->exec("PRAGMA foreign_keys = ON");
    connection->exec(options_.durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
    return connection;
}

int SqliteDatabase::schema_version() {
    return read([](SqliteConnection& connection) { return sqlite_schema_version(connection); });
}

std::string SqliteDatabase::integrity_check() {
    return read([](SqliteConnection& connection) { return connection.query_text("PRAGMA integrity_check"); });
}

SqliteDatabase::ReaderLease::ReaderLease(SqliteDatabase& database) : database_(database) {
    {
        std::lock_guard lock(database_.readers_mutex_);
        if (!database_.idle_readers_.empty()) {
            connection_ = std::move(database_.idle_readers_.back());
            database_.idle_readers_.pop_back();
        }
    }
    if (!connection_) connection_ = database_.open_connection(SqliteConnection::Mode::kReadWrite);
}

SqliteDatabase::ReaderLease::~ReaderLease() {
    std::lock_guard lock(database_.readers_mutex_);
    if (database_.idle_readers_.size() >= database_.options_.max_idle_readers) return;  // closes it
    try {
        database_.idle_readers_.push_back(std::move(connection_));
    } catch (...) {  // out of memory: just close the connection
    }
}

}  // namespace faceid
