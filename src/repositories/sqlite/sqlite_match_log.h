#pragma once
// MatchLog on the embedded SQLite database: persons.last_matched_at.
// Thread-safe; writes go through the database's single write connection, one durable transaction each.
#include "repositories/match_log.h"

#include <memory>

namespace faceid {

class SqliteDatabase;

class SqliteMatchLog : public MatchLog {
  public:
    explicit SqliteMatchLog(std::shared_ptr<SqliteDatabase> database);

    void record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) override;

  private:
    std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace faceid
