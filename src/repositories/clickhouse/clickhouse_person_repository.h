#pragma once
// PersonRepository on a ClickHouse server shared by several `faceid serve` processes (see
// docs/scaling-out.md). ClickHouse 18.16 has no transactions, so the guarantees differ from SQLite's:
//   - Each write is a few INSERTs ordered so that readers never see a person without faces: the face rows
//     go first (one INSERT per table, which is atomic), then the person row. A crash in between leaves an
//     orphan face that no read returns as a person's face and that search skips.
//   - Writes of one process are serialised by a mutex, so checks such as "external_id is free" hold within
//     a process. Between processes they are best-effort: two replicas registering the same external_id in
//     the same instant can both succeed (see docs/scaling-out.md).
//   - Changes are new row versions (VersionClock) with a deleted flag; reads pick the latest version.
// One class serves every person job, because they share the write mutex, the version clock and the
// latest-version reads; each job's methods live in their own file: clickhouse_person_repository.cpp (CRUD),
// clickhouse_photo_references.cpp, clickhouse_retention_queries.cpp, clickhouse_match_log.cpp and
// clickhouse_person_upkeep.cpp (the FaceChangeFeed: other processes' changes to faces, polled by version;
// compaction).
#include "repositories/clickhouse/clickhouse_client.h"
#include "repositories/clickhouse/version_clock.h"
#include "repositories/face_change_feed.h"
#include "repositories/match_log.h"
#include "repositories/person_repository.h"
#include "repositories/photo_references.h"
#include "repositories/retention_queries.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace faceid {

struct ClickHouseRepositoryOptions {
    int load_chunk_faces = 50'000;  // faces per request when loading all faces (for_each_face)
    // How far back (in version microseconds) every poll of the change feed looks again, to catch rows that
    // were committed after rows with larger versions (in-flight inserts, clock skew between replicas).
    int64_t change_window_us = 30'000'000;
};

class ClickHousePersonRepository : public PersonRepository,
                                   public PhotoReferences,
                                   public RetentionQueries,
                                   public MatchLog,
                                   public FaceChangeFeed {
  public:
    // Connects, creates or migrates the schema. Throws Error(kUnavailable) when the server is unreachable.
    explicit ClickHousePersonRepository(ClickHouseSettings settings,
                                        ClickHouseRepositoryOptions options = {});
    ~ClickHousePersonRepository() override;

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

    // Fetches the faces in label ranges of load_chunk_faces, the next range while fn runs over the
    // current one; fn is called on the calling thread.
    void for_each_face(const std::function<void(const FaceRecord&)>& fn) override;
    int64_t count_persons() override;
    int64_t count_faces() override;
    bool is_blob_referenced(const std::string& key) override;

    std::vector<FaceRecord> faces_with_photo(const std::string& photo_key) override;
    std::vector<std::string> persons_with_photo(const std::string& photo_key) override;
    void record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) override;
    std::vector<std::string> persons_for_retention(int64_t created_before_ms, int max_faces) override;
    std::vector<std::string> inactive_persons(int64_t before_ms) override;
    std::vector<FaceRecord> remove_templates(const std::string& person_id,
                                             const std::vector<std::string>& face_ids) override;

    std::unique_ptr<FaceChangeStream> open_change_stream() override;

    // Folds old row versions together: OPTIMIZE ... FINAL on the small tables, a plain OPTIMIZE (one
    // merge) on faces, whose FINAL would rewrite every embedding. Reads are correct without it.
    void compact();
    // Runs compact() every interval on a background thread until destruction.
    void start_background_compaction(std::chrono::seconds interval);

    const ClickHouseClient& client() const { return client_; }

  private:
    struct StoredPerson {
        PersonRecord record;
        uint64_t version = 0;
    };
    struct StoredFace {
        FaceRecord record;
        uint64_t version = 0;
    };

    enum class FaceCounts { kFill, kSkip };
    std::vector<StoredPerson> select_persons(const std::string& key_filter, const std::string& conditions,
                                             const std::string& tail = {},
                                             FaceCounts counts = FaceCounts::kFill);
    std::optional<StoredPerson> stored_person(const std::string& id, FaceCounts counts = FaceCounts::kSkip);
    std::vector<StoredFace> select_faces(const std::string& filter);
    std::vector<StoredFace> live_faces_of(const std::string& person_id);
    // face_count and last_matched_at_ms, which live in other tables.
    void fill_derived_fields(std::vector<StoredPerson>& persons);
    std::vector<std::string> live_person_ids(const std::string& key_filter);
    void remember_photo(const std::string& photo_key, const std::string& person_id);
    void check_external_id_free(const std::optional<std::string>& external_id, const std::string& person_id);
    void write_person(const PersonRecord& person, uint64_t version, bool deleted);

    ClickHouseClient client_;
    ClickHouseRepositoryOptions options_;
    VersionClock clock_;
    std::mutex write_mutex_;

    std::mutex compaction_mutex_;
    std::condition_variable compaction_wakeup_;
    bool stopping_ = false;
    std::thread compaction_thread_;
};

}  // namespace faceid
