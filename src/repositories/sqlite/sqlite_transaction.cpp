#include "repositories/sqlite/sqlite_transaction.h"

#include "repositories/sqlite/sqlite_connection.h"

#include <sqlite3.h>

namespace faceid {

SqliteTransaction::SqliteTransaction(SqliteConnection& connection, Kind kind) : connection_(connection) {
    connection_.exec(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

SqliteTransaction::~SqliteTransaction() {
    // A failed COMMIT may already have ended the transaction; only roll back one that is still open.
    if (open_ && !sqlite3_get_autocommit(connection_.handle()))
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
    connection_.exec("COMMIT");
    open_ = false;
}

}  // namespace faceid
