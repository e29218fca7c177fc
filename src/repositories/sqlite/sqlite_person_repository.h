#pragma once
// PersonRepository on the embedded SQLite database (tables persons and faces, see sqlite_schema.cpp). The
// other person jobs on these tables are SqlitePhotoReferences, SqliteRetentionQueries and SqliteMatchLog.
// Thread-safe: every method may be called from many threads at once; writes are serialised by the
// database's single write connection and each one is a single durable transaction.
#include "repositories/person_repository.h"

#include <memory>

namespace faceid {

class SqliteDatabase;

class SqlitePersonRepository : public PersonRepository {
  public:
    explicit SqlitePersonRepository(std::shared_ptr<SqliteDatabase> database);

    void create_person(const PersonRecord& person, const FaceRecord& first_face) override;
    void add_template(const TemplateChange& change) override;

    std::optional<PersonRecord> get_person(const std::string& id) override;
    std::optional<PersonRecord> find_by_external_id(const std::string& external_id) override;
    std::vector<PersonRecord> get_persons(const std::vector<std::string>& ids) override;
    PersonPage list_persons(const PersonQuery& query) override;
    bool update_person(const PersonRecord& person) override;
    std::vector<FaceRecord> delete_person(const std::string& id) override;

    std::optional<FaceRecord> get_face(const std::string& face_id) override;
    std::vector<FaceRecord> faces_of(const std::string& person_id) override;
    std::optional<FaceRecord> delete_face(const std::string& face_id) override;

    // Streams the faces row by row from one read snapshot, in label order; fn may call back into the
    // repository (it runs on its own read connection) but should not hold the stream up for long.
    void for_each_face(const std::function<void(const FaceRecord&)>& fn) override;
    int64_t count_persons() override;
    int64_t count_faces() override;

  private:
    std::shared_ptr<SqliteDatabase> database_;
};

}  // namespace faceid
