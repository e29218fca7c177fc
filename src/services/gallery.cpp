#include "services/gallery.h"

#include "core/clock.h"
#include "core/ids.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <unordered_set>

namespace faceid {

Gallery::Gallery(PersonStores stores, PhotoStore& photos, VectorIndex& index)
    : stores_(stores), photos_(photos), index_(index) {}

uint64_t Gallery::label_hash(uint64_t label) {  // splitmix64: spreads labels before they are summed
    uint64_t z = label + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::string Gallery::label_stamp(size_t count, uint64_t hash) {
    return std::to_string(count) + " " + std::to_string(hash);
}

IndexLoadStats Gallery::load_index(const std::filesystem::path& snapshot) {
    const double start = monotonic_seconds();
    IndexLoadStats stats;
    const auto stamp_file = snapshot.string() + ".stamp";
    if (!snapshot.empty() && std::filesystem::exists(snapshot) && std::filesystem::exists(stamp_file)) {
        // First pass: which faces storage holds. Cheap next to rebuilding an HNSW graph.
        uint64_t hash = 0;
        size_t count = 0;
        std::unordered_map<uint64_t, std::string> owners;
        stores_.persons.for_each_face([&](const FaceRecord& face) {
            hash += label_hash(face.label);
            ++count;
            owners.emplace(face.label, face.person_id);
        });
        std::ifstream in(stamp_file);
        std::string saved;
        std::getline(in, saved);
        if (saved == label_stamp(count, hash)) {
            try {
                index_.load(snapshot);
                std::unique_lock lock(owners_mutex_);
                owners_ = std::move(owners);
                stats.faces = int64_t(count);
                stats.from_snapshot = true;
            } catch (const std::exception& e) {
                spdlog::warn("index snapshot {} unusable ({}); rebuilding from storage", snapshot.string(),
                             e.what());
            }
        } else {
            spdlog::info("index snapshot {} is stale; rebuilding from storage", snapshot.string());
        }
    }
    if (!stats.from_snapshot) {
        // Bulk insertion in chunks (an HNSW index builds on all cores in add_batch).
        constexpr size_t kChunk = 8192;
        std::vector<uint64_t> labels;
        std::vector<float> vectors;
        auto flush = [&] {
            index_.add_batch(labels.data(), vectors.data(), labels.size());
            labels.clear();
            vectors.clear();
        };
        stores_.persons.for_each_face([&](const FaceRecord& face) {
            {
                std::unique_lock lock(owners_mutex_);
                owners_[face.label] = face.person_id;
            }
            labels.push_back(face.label);
            vectors.insert(vectors.end(), face.embedding.begin(), face.embedding.end());
            ++stats.faces;
            if (labels.size() == kChunk) flush();
        });
        if (!labels.empty()) flush();
    }
    // A snapshot is only valid for the moment it was written: remove it so that a crash later cannot
    // leave a stale file that happens to match.
    if (!snapshot.empty()) {
        std::error_code ignored;
        std::filesystem::remove(stamp_file, ignored);
    }
    stats.seconds = monotonic_seconds() - start;
    return stats;
}

void Gallery::save_index(const std::filesystem::path& snapshot) const {
    uint64_t hash = 0;
    size_t count = 0;
    {
        std::shared_lock lock(owners_mutex_);
        for (const auto& [label, owner] : owners_) {
            hash += label_hash(label);
            ++count;
        }
    }
    index_.save(snapshot);
    const auto stamp_file = snapshot.string() + ".stamp";
    std::ofstream out(stamp_file + ".tmp", std::ios::trunc);
    out << label_stamp(count, hash) << "\n";
    out.close();
    std::filesystem::rename(stamp_file + ".tmp", stamp_file);
}

std::pair<size_t, size_t> Gallery::apply_changes(const FaceChanges& changes) {
    size_t added = 0, removed = 0;
    for (const auto& face : changes.added) {
        {
            std::shared_lock lock(owners_mutex_);
            if (owners_.count(face.label)) continue;  // this process's own write, or already applied
        }
        index_face(face);
        ++added;
    }
    for (uint64_t label : changes.removed) {
        {
            std::shared_lock lock(owners_mutex_);
            if (!owners_.count(label)) continue;
        }
        index_.remove(label);
        std::unique_lock lock(owners_mutex_);
        removed += owners_.erase(label);
    }
    return {added, removed};
}

bool Gallery::contains(uint64_t label) const {
    std::shared_lock lock(owners_mutex_);
    return owners_.count(label) != 0;
}

void Gallery::index_face(const FaceRecord& face) {
    {
        std::unique_lock lock(owners_mutex_);
        owners_[face.label] = face.person_id;
    }
    index_.add(face.label, face.embedding.data());
}

void Gallery::unindex_face(const FaceRecord& face) {
    index_.remove(face.label);
    std::unique_lock lock(owners_mutex_);
    owners_.erase(face.label);
}

void Gallery::create_person(const PersonRecord& person, const FaceRecord& first_face) {
    stores_.persons.create_person(person, first_face);
    index_face(first_face);
}

std::vector<FaceRecord> Gallery::add_template(const TemplateChange& change) {
    std::vector<FaceRecord> dropped;
    for (const auto& id : change.dropped_face_ids)
        if (auto face = stores_.persons.get_face(id)) dropped.push_back(std::move(*face));
    stores_.persons.add_template(change);
    index_face(change.added);
    for (const auto& face : dropped) unindex_face(face);
    return dropped;
}

bool Gallery::delete_person(const std::string& person_id) {
    const auto removed = stores_.persons.delete_person(person_id);
    for (const auto& face : removed) unindex_face(face);
    reclaim_blobs(removed);
    return !removed.empty();
}

bool Gallery::delete_face(const std::string& face_id) {
    const auto removed = stores_.persons.delete_face(face_id);
    if (!removed) return false;
    unindex_face(*removed);
    reclaim_blobs({*removed});
    return true;
}

Removal Gallery::remove_templates(const std::string& person_id, const std::vector<std::string>& face_ids) {
    Removal removal;
    removal.faces = stores_.retention.remove_templates(person_id, face_ids);
    for (const auto& face : removal.faces) unindex_face(face);
    removal.bytes_reclaimed = reclaim_blobs(removal.faces);
    return removal;
}

Removal Gallery::remove_person(const std::string& person_id) {
    Removal removal;
    removal.faces = stores_.persons.delete_person(person_id);
    for (const auto& face : removal.faces) unindex_face(face);
    removal.bytes_reclaimed = reclaim_blobs(removal.faces);
    return removal;
}

std::optional<std::string> Gallery::owner_of(uint64_t label) const {
    std::shared_lock lock(owners_mutex_);
    auto owner = owners_.find(label);
    if (owner == owners_.end()) return std::nullopt;
    return owner->second;
}

void Gallery::note_matched(const std::vector<std::string>& person_ids) {
    if (person_ids.empty()) return;
    const int64_t now = now_ms();
    std::lock_guard lock(matched_mutex_);
    for (const auto& id : person_ids) matched_[id] = now;
}

size_t Gallery::flush_matches() {
    std::unordered_map<std::string, int64_t> pending;
    {
        std::lock_guard lock(matched_mutex_);
        pending.swap(matched_);
    }
    if (pending.empty()) return 0;
    try {
        stores_.matches.record_matches({pending.begin(), pending.end()});
    } catch (...) {
        // Put them back so that the next flush tries again (newer notes win).
        std::lock_guard lock(matched_mutex_);
        for (const auto& [id, at] : pending) matched_.try_emplace(id, at);
        throw;
    }
    return pending.size();
}

namespace {
constexpr size_t kMaxDeferredBlobs = 100'000;  // beyond: left as orphans (logged), memory stays bounded
constexpr double kRetryFailedDeleteSeconds = 60;
}  // namespace

uint64_t Gallery::reclaim_blobs(const std::vector<FaceRecord>& removed) {
    // Photos are content-addressed and may be shared (the same photo registered twice), so a file is
    // deleted only when no stored face refers to it any more. A crash before this point leaves an orphan
    // file, never a dangling reference.
    uint64_t bytes = 0;
    if (!removed.empty()) {
        std::unique_lock guard(blobs_mutex_);
        std::unordered_set<std::string> keys;
        for (const auto& face : removed) {
            keys.insert(face.photo_key);
            keys.insert(face.crop_key);
        }
        for (const auto& key : keys)
            if (!key.empty()) bytes += reclaim_blob(key);
    }
    return bytes + sweep_deferred_blobs();
}

uint64_t Gallery::reclaim_blob(const std::string& key) {
    if (!is_valid_photo_key(key)) return 0;  // nothing a store could hold (and never worth a retry)
    try {
        if (stores_.photo_references.is_blob_referenced(key)) return 0;
        const auto info = photos_.stat(key);
        if (!info) return 0;
        if (info->age_seconds < blob_grace_seconds_) {
            // Maybe another replica's registration in flight: look again once the grace period is over.
            defer_blob(key, blob_grace_seconds_ - info->age_seconds + 1);
            return 0;
        }
        // Re-checked after the age: a row committed meanwhile keeps the blob (see set_blob_grace).
        if (blob_grace_seconds_ > 0 && stores_.photo_references.is_blob_referenced(key)) return 0;
        return photos_.remove(key) ? info->size : 0;
    } catch (const std::exception& e) {
        spdlog::warn("could not remove photo {} (will retry): {}", key, e.what());
        defer_blob(key, kRetryFailedDeleteSeconds);
        return 0;
    }
}

void Gallery::defer_blob(const std::string& key, double seconds) {
    std::lock_guard lock(deferred_mutex_);
    if (deferred_.size() >= kMaxDeferredBlobs && !deferred_.count(key)) {
        spdlog::warn("too many photos waiting for deletion; {} stays as an orphan", key);
        return;
    }
    deferred_[key] = monotonic_seconds() + seconds;
}

uint64_t Gallery::sweep_deferred_blobs() {
    std::vector<std::string> due;
    {
        std::lock_guard lock(deferred_mutex_);
        const double now = monotonic_seconds();
        for (auto it = deferred_.begin(); it != deferred_.end();) {
            if (it->second <= now) {
                due.push_back(it->first);
                it = deferred_.erase(it);
            } else {
                ++it;
            }
        }
    }
    if (due.empty()) return 0;
    std::unique_lock guard(blobs_mutex_);
    uint64_t bytes = 0;
    for (const auto& key : due) bytes += reclaim_blob(key);
    return bytes;
}

size_t Gallery::deferred_blobs() const {
    std::lock_guard lock(deferred_mutex_);
    return deferred_.size();
}

void Gallery::discard_new_blobs(const std::vector<std::string>& keys) {
    if (keys.empty()) return;
    std::unique_lock guard(blobs_mutex_);
    for (const auto& key : keys) reclaim_blob(key);
}

void Gallery::ensure_blobs_after_commit(const std::vector<std::pair<std::string, std::string_view>>& blobs) {
    if (!shares_blobs()) return;
    for (const auto& [key, bytes] : blobs) {
        try {
            if (photos_.exists(key)) continue;
            spdlog::warn(
                "photo {} vanished before its row committed (deleted by another replica); storing it again",
                key);
            photos_.put(bytes, key.substr(key.find('.') + 1));
        } catch (const std::exception& e) {
            // The row is committed; the registration stands. Logged loudly: its photo needs a re-upload.
            spdlog::error("could not check or restore photo {} after its commit: {}", key, e.what());
        }
    }
}

std::vector<PersonMatch> Gallery::group_by_person(const std::vector<Neighbor>& neighbors, int top_k,
                                                  double min_similarity) const {
    std::vector<std::pair<std::string, Neighbor>> best;  // person id -> best neighbour, in rank order
    {
        std::shared_lock lock(owners_mutex_);
        std::unordered_set<std::string> seen;
        for (const auto& n : neighbors) {
            if (n.similarity < min_similarity) break;  // neighbours come best first
            auto owner = owners_.find(n.label);
            if (owner == owners_.end()) continue;  // removed meanwhile
            if (seen.insert(owner->second).second) best.emplace_back(owner->second, n);
            if (int(best.size()) == top_k) break;
        }
    }
    std::vector<std::string> ids;
    for (const auto& [id, n] : best) ids.push_back(id);
    std::unordered_map<std::string, PersonRecord> records;
    for (auto& person : stores_.persons.get_persons(ids)) records.emplace(person.id, std::move(person));
    std::vector<PersonMatch> matches;
    for (const auto& [id, n] : best) {
        auto record = records.find(id);
        if (record == records.end()) continue;  // deleted between the index hit and the read
        matches.push_back({record->second, face_id_from_label(n.label), n.similarity});
    }
    return matches;
}

namespace {
// Templates to fetch so that top_k distinct persons survive grouping (a person has several templates).
int templates_to_fetch(int top_k) {
    return std::max(top_k * 8, 32);
}
}  // namespace

std::vector<PersonMatch> Gallery::search(const Embedding& query, int top_k, double min_similarity) const {
    if (top_k <= 0 || index_.size() == 0) return {};
    return group_by_person(index_.search(query.data(), templates_to_fetch(top_k)), top_k, min_similarity);
}

std::vector<std::vector<PersonMatch>> Gallery::search_batch(const std::vector<Embedding>& queries, int top_k,
                                                            double min_similarity) const {
    std::vector<std::vector<PersonMatch>> results(queries.size());
    if (queries.empty() || top_k <= 0 || index_.size() == 0) return results;
    std::vector<float> matrix;
    matrix.reserve(queries.size() * kEmbeddingDim);
    for (const auto& q : queries) matrix.insert(matrix.end(), q.begin(), q.end());
    const auto neighbors = index_.search_batch(matrix.data(), int(queries.size()), templates_to_fetch(top_k));
    for (size_t i = 0; i < queries.size(); ++i)
        results[i] = group_by_person(neighbors[i], top_k, min_similarity);
    return results;
}

}  // namespace faceid
