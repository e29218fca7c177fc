#pragma once
// GalleryCorrections on the embedded SQLite database, beside SqlitePersonRepository on the same file
// (tables primary_pins and kept_apart, see sqlite_schema.cpp). Each method is one transaction.
#include "repositories/gallery_corrections.h"

#include <memory>

namespace faceid {

class SqliteDatabase;

class SqliteGalleryCorrections : public GalleryCorrections {
  public:
    explicit SqliteGalleryCorrections(std::shared_ptr<SqliteDatabase> database);

    bool pin_primary(const std::string& person_id, const std::string& face_id) override;
    std::optional<std::string> pinned_primary(const std::string& person_id) override;
    void transfer_faces(const FaceTransfer& transfer) override;
    void keep_apart(const std::string& person_a, const std::string& person_b) override;
    std::vector<std::pair<std::string, std::string>> kept_apart_pairs() override;

  private:
    std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace faceid
