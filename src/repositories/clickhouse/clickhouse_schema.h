#pragma once
// The application's tables in ClickHouse and their migrations (CREATE DATABASE IF NOT EXISTS, then the
// numbered steps not yet recorded in schema_version). Safe to run from several replicas at once: every
// step is idempotent (IF NOT EXISTS), and a version recorded twice is harmless (the maximum counts).
namespace faceid {

class ClickHouseClient;

// Returns the schema version after migrating. Throws Error(kStorageError) if the database is newer than
// this program.
int migrate_clickhouse_schema(const ClickHouseClient& client);

}  // namespace faceid
