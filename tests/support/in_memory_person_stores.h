#pragma once
// The person jobs (repositories/person_stores.h) held in memory: a fake for unit tests of the services
// (Gallery, PersonService, RetentionService) that need no database file. It joins the same contract suites
// as SQLite and ClickHouse (tests/contract/in_memory_person_stores_contract.cpp), so a service test that
// passes on it relies only on promised behaviour. Thread-safe (one mutex); nothing is durable.
#include "repositories/person_stores.h"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace faceid::testing {

class InMemoryPersonStores : public PersonRepository,
                             public PhotoReferences,
                             public RetentionQueries,
                             public MatchLog {
  public:
    PersonStores stores() { return {*this, *this, *this, *this}; }

    // PersonRepository
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
    void for_each_face(const std::function<void(const FaceRecord&)>& fn) override;
    int64_t count_persons() override;
    int64_t count_faces() override;

    // PhotoReferences
    bool is_blob_referenced(const std::string& key) override;
    std::vector<FaceRecord> faces_with_photo(const std::string& photo_key) override;
    std::vector<std::string> persons_with_photo(const std::string& photo_key) override;

    // RetentionQueries
    std::vector<std::string> persons_for_retention(int64_t created_before_ms, int max_faces) override;
    std::vector<std::string> inactive_persons(int64_t before_ms) override;
    std::vector<FaceRecord> remove_templates(const std::string& person_id,
                                             const std::vector<std::string>& face_ids) override;

    // MatchLog
    void record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) override;

  private:
    // Callers hold mutex_.
    PersonRecord read_person(const PersonRecord& stored) const;
    std::vector<FaceRecord> faces_of_locked(const std::string& person_id) const;
    void check_external_id_free(const std::optional<std::string>& external_id, const std::string& id) const;
    void insert_face(FaceRecord face, const std::string& person_id);
    void settle_primary(const std::string& person_id);
    void erase_face(const std::string& face_id);

    std::mutex mutex_;
    std::map<std::string, PersonRecord> persons_;            // by id
    std::map<std::string, FaceRecord> faces_;                // by id
    std::set<std::pair<std::string, std::string>> history_;  // (photo key, person id)
};

}  // namespace faceid::testing
