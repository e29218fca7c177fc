#pragma once
// PhotoReferences on the embedded SQLite database: the photo_key/crop_key columns of faces and photo_history.
// Thread-safe; writes go through the database's single write connection, one durable transaction each.
#include "repositories/photo_references.h"

#include <memory>

namespace faceid {

class SqliteDatabase;

class SqlitePhotoReferences : public PhotoReferences {
  public:
    explicit SqlitePhotoReferences(std::shared_ptr<SqliteDatabase> database);

    bool is_blob_referenced(const std::string& key) override;
    std::vector<FaceRecord> faces_with_photo(const std::string& photo_key) override;
    std::vector<std::string> persons_with_photo(const std::string& photo_key) override;

  private:
    std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace faceid
