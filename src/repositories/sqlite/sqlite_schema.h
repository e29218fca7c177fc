#pragma once
// Versioned schema of the embedded database. Each migration is applied once, in order, and recorded in
// the schema_version table; all pending migrations run in one transaction at open, so a crash or a
// failing step leaves the file at its previous version. To change the schema, append a migration to
// the list in sqlite_schema.cpp; never edit one that has shipped.
#include <span>

namespace faceid {

class SqliteConnection;

struct SqliteMigration {
    int version;      // 1, 2, 3, ... without gaps
    const char* sql;  // one or more statements
};

// The product's migrations, oldest first.
std::span<const SqliteMigration> sqlite_schema_migrations();

// The version recorded in the file (0 for a new or empty file).
int sqlite_schema_version(SqliteConnection& connection);

// Brings the file up to the last migration in one IMMEDIATE transaction and returns the new version.
// Throws Error(kStorageError) if the file is newer than the migrations known to this program, and
// rolls everything back if a migration fails.
int apply_sqlite_migrations(SqliteConnection& connection, std::span<const SqliteMigration> migrations);

}  // namespace faceid
