#pragma once
// AuditLog on the embedded SQLite database (table audit_log, see sqlite_schema.cpp). Thread-safe; every
// append is its own durable transaction.
#include "repositories/audit_log.h"

#include <memory>

namespace faceid {

class SqliteDatabase;

class SqliteAuditLog : public AuditLog {
  public:
    explicit SqliteAuditLog(std::shared_ptr<SqliteDatabase> database);

    int64_t append(const AuditEntry& entry) override;
    AuditPage list(const AuditQuery& query) override;

  private:
    std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace faceid
