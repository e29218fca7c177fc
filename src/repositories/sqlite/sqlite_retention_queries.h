#pragma once
// RetentionQueries on the embedded SQLite database (tables persons and faces).
// Thread-safe; writes go through the database's single write connection, one durable transaction each.
#include "repositories/retention_queries.h"

#include <memory>

namespace faceid {

class SqliteDatabase;

class SqliteRetentionQueries : public RetentionQueries {
  public:
    explicit SqliteRetentionQueries(std::shared_ptr<SqliteDatabase> database);

    std::vector<std::string> persons_for_retention(int64_t created_before_ms, int max_faces) override;
    std::vector<std::string> inactive_persons(int64_t before_ms) override;
    std::vector<FaceRecord> remove_templates(const std::string& person_id,
                                             const std::vector<std::string>& face_ids) override;

  private:
    std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace faceid
