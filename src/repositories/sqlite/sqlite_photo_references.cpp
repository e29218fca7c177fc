#include "repositories/sqlite/sqlite_photo_references.h"

#include "core/error.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_rows.h"
#include "repositories/sqlite/sqlite_statement.h"

namespace faceid {

using namespace sqlite_rows;

namespace {

constexpr const char* kSelectFacesWithPhoto =
    "SELECT " FACEID_SQLITE_FACE_COLUMNS " FROM faces WHERE photo_key = ?1 ORDER BY created_at, id";

}  // namespace

SqlitePhotoReferences::SqlitePhotoReferences(std::shared_ptr<SqliteDatabase> database)
    : database_(std::move(database)) {
    if (!database_) throw Error(ErrorCode::kInternal, "SqlitePhotoReferences needs a database");
}

bool SqlitePhotoReferences::is_blob_referenced(const std::string& key) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement exists(connection,
                               "SELECT EXISTS (SELECT 1 FROM faces WHERE photo_key = ?1) "
                               "OR EXISTS (SELECT 1 FROM faces WHERE crop_key = ?1)");
        exists.bind(1, key);
        exists.step();
        return exists.column_int64(0) != 0;
    });
}

std::vector<FaceRecord> SqlitePhotoReferences::faces_with_photo(const std::string& photo_key) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, kSelectFacesWithPhoto);
        select.bind(1, photo_key);
        return read_faces(select);
    });
}

std::vector<std::string> SqlitePhotoReferences::persons_with_photo(const std::string& photo_key) {
    return database_->read([&](SqliteConnection& connection) {
        SqliteStatement select(connection, "SELECT person_id FROM photo_history WHERE photo_key = ?1");
        select.bind(1, photo_key);
        std::vector<std::string> ids;
        while (select.step()) ids.push_back(select.column_text(0));
        return ids;
    });
}

}  // namespace faceid
