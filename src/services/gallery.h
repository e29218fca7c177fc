#pragma once
// The gallery: persons and their face templates in storage, kept in step with the in-memory vector index.
// Every write goes to storage first (durable) and to the index after the commit; the index is rebuilt from
// storage at start. Search results are grouped by person (best template per person).
#include "repositories/face_change_feed.h"
#include "repositories/person_stores.h"
#include "repositories/photo_store.h"
#include "repositories/vector_index.h"

#include <filesystem>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace faceid {

struct PersonMatch {
    PersonRecord person;
    std::string face_id;  // the best-matching template
    double similarity = 0;
    // Set by a search's decision: probability (0..1) that this is the right person, and whether the
    // similarity is below the decision threshold (a candidate listed for review, not a match).
    double probability = 0;
    bool below_threshold = false;
};

// What a removal took away: the faces (templates) and the bytes of photo and crop files reclaimed.
struct Removal {
    std::vector<FaceRecord> faces;
    uint64_t bytes_reclaimed = 0;
};

struct IndexLoadStats {
    int64_t faces = 0;
    double seconds = 0;
    bool from_snapshot = false;  // loaded from the saved index file rather than rebuilt
};

class Gallery {
  public:
    Gallery(PersonStores stores, PhotoStore& photos, VectorIndex& index);

    // Loads every stored template into the index. With a snapshot path, a saved index (save_index) is used
    // when it matches storage exactly (same set of face labels), so a restart does not rebuild an
    // approximate index; otherwise the index is rebuilt from storage.
    IndexLoadStats load_index(const std::filesystem::path& snapshot = {});
    // Saves the index and a stamp of what it holds (at clean shutdown).
    void save_index(const std::filesystem::path& snapshot) const;
    // Applies faces that other processes added or removed (see ChangeFollower): adds the unknown ones,
    // then removes the removed ones. Idempotent. Returns how many faces were added and removed.
    std::pair<size_t, size_t> apply_changes(const FaceChanges& changes);
    // True if the face with this label is in the index.
    bool contains(uint64_t label) const;

    // Photo files are content-addressed and shared, so a writer that has put() files and not yet committed
    // the rows referring to them holds this guard; reclaiming unreferenced files waits for it. Without it a
    // delete could remove a file that a registration in flight has just been given the key of.
    std::shared_lock<std::shared_mutex> guard_new_blobs() { return std::shared_lock(blobs_mutex_); }

    // The same rule across processes, for a photo store several replicas write (set when the storage
    // backend is shared): an unreferenced blob is deleted only when it was last put() at least
    // `grace_seconds` ago (the store measures the age on its own clock, and put() of existing bytes
    // refreshes it) and is still unreferenced after that check; a younger one is deferred and re-checked
    // later. A writer in turn checks after its commit that its blobs still exist and stores them again if
    // not (ensure_blobs_after_commit). 0 (one process: SQLite's folder lock) deletes at once.
    void set_blob_grace(double grace_seconds) { blob_grace_seconds_ = grace_seconds; }
    bool shares_blobs() const { return blob_grace_seconds_ > 0; }
    // A registration that put blobs and then failed: deletes those no row refers to (by the rule above).
    void discard_new_blobs(const std::vector<std::string>& keys);
    // After a writer's rows committed (shared stores only): each blob must still exist; a missing one
    // (deleted by another replica as unreferenced before the commit) is stored again from its bytes.
    void ensure_blobs_after_commit(const std::vector<std::pair<std::string, std::string_view>>& blobs);
    // Deletes the deferred blobs that are due (young ones, and ones the store failed to delete because it
    // did not answer). Called by every reclaim and by the serve process's background job. Returns bytes.
    uint64_t sweep_deferred_blobs();
    size_t deferred_blobs() const;

    void create_person(const PersonRecord& person, const FaceRecord& first_face);
    // Commits the change and updates the index; returns the dropped templates, whose files the caller
    // reclaims with reclaim_blobs() once it no longer holds guard_new_blobs().
    std::vector<FaceRecord> add_template(const TemplateChange& change);
    // Returns the bytes of the files deleted.
    uint64_t reclaim_blobs(const std::vector<FaceRecord>& removed);
    // Removes a person, its templates and their photo files (unless another face still uses them).
    // Returns false when the person is unknown.
    bool delete_person(const std::string& person_id);
    // Removes one template; see PersonRepository::delete_face. Returns false when the face is unknown.
    bool delete_face(const std::string& face_id);
    // Removes templates of one person, never its primary (RetentionQueries::remove_templates), and the
    // files no other face uses.
    Removal remove_templates(const std::string& person_id, const std::vector<std::string>& face_ids);
    // delete_person, reporting what was removed.
    Removal remove_person(const std::string& person_id);

    // Search matches are noted in memory (cheap on the search path) and written to storage in one
    // transaction by flush_matches(), which the retention job calls before it looks for inactive persons.
    void note_matched(const std::vector<std::string>& person_ids);
    size_t flush_matches();

    // The best template per person for each query, best persons first, at most top_k persons, all with a
    // similarity >= min_similarity.
    std::vector<PersonMatch> search(const Embedding& query, int top_k, double min_similarity) const;
    std::vector<std::vector<PersonMatch>> search_batch(const std::vector<Embedding>& queries, int top_k,
                                                       double min_similarity) const;

    // The person a template label belongs to, if it is in the index.
    std::optional<std::string> owner_of(uint64_t label) const;

    PersonRepository& persons() { return stores_.persons; }
    PhotoReferences& photo_references() { return stores_.photo_references; }
    RetentionQueries& retention() { return stores_.retention; }
    PhotoStore& photos() { return photos_; }
    const VectorIndex& index() const { return index_; }
    size_t size() const { return index_.size(); }

  private:
    void index_face(const FaceRecord& face);
    // A fingerprint of a set of labels (count and an order-independent hash), to tell a stale snapshot.
    static std::string label_stamp(size_t count, uint64_t hash);
    static uint64_t label_hash(uint64_t label);
    void unindex_face(const FaceRecord& face);
    std::vector<PersonMatch> group_by_person(const std::vector<Neighbor>& neighbors, int top_k,
                                             double min_similarity) const;

    // Deletes one blob if unreferenced and old enough, else defers it; the bytes deleted. Caller holds
    // blobs_mutex_ exclusively.
    uint64_t reclaim_blob(const std::string& key);
    void defer_blob(const std::string& key, double seconds);

    PersonStores stores_;
    PhotoStore& photos_;
    VectorIndex& index_;
    double blob_grace_seconds_ = 0;
    mutable std::mutex deferred_mutex_;
    std::unordered_map<std::string, double> deferred_;  // key -> when to look again (monotonic seconds)
    // label -> person id, to group index hits by person without a storage round trip.
    std::shared_mutex blobs_mutex_;
    mutable std::shared_mutex owners_mutex_;
    std::unordered_map<uint64_t, std::string> owners_;
    std::mutex matched_mutex_;
    std::unordered_map<std::string, int64_t> matched_;  // person id -> last match time, not yet stored
};

}  // namespace faceid
