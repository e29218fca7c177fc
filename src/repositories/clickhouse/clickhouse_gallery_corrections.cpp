// ClickHousePersonRepository as GalleryCorrections (see gallery_corrections.h): in its own file, beside
// the repository's everyday reads and writes, with the same clock and write mutex. The write order keeps
// the repository's rule that a reader never sees a live person without faces.
#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "repositories/clickhouse/clickhouse_face_rows.h"
#include "repositories/clickhouse/clickhouse_person_repository.h"
#include "repositories/clickhouse/clickhouse_sql.h"
#include "repositories/record_checks.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace faceid {

bool ClickHousePersonRepository::pin_primary(const std::string& person_id, const std::string& face_id) {
    std::lock_guard lock(write_mutex_);
    auto person = stored_person(person_id);
    if (!person) return false;
    const auto faces = live_faces_of(person_id);
    if (std::none_of(faces.begin(), faces.end(), [&](const StoredFace& f) { return f.record.id == face_id; }))
        return false;
    RowBinaryWriter pin;
    pin.string(person_id).string(face_id).u64(clock_.next());
    client_.insert("primary_pins (person_id, face_id, version)", pin.bytes());
    PersonRecord updated = person->record;
    updated.primary_face_id = face_id;
    updated.updated_at_ms = now_ms();
    write_person(updated, clock_.next(person->version + 1), false);
    return true;
}

std::optional<std::string> ClickHousePersonRepository::pinned_primary(const std::string& person_id) {
    auto person = stored_person(person_id);
    if (!person || !person->record.primary_face_id) return std::nullopt;
    const std::string pinned =
        client_.query("SELECT face_id FROM primary_pins WHERE person_id = " + quote_string(person_id) +
                      " ORDER BY version DESC LIMIT 1 FORMAT TabSeparatedRaw");
    // Face ids are hex: the raw text is the id and its newline.
    if (pinned.empty() || pinned.substr(0, pinned.find('\n')) != *person->record.primary_face_id)
        return std::nullopt;
    return person->record.primary_face_id;
}

void ClickHousePersonRepository::transfer_faces(const FaceTransfer& transfer) {
    check_face_transfer(transfer);
    std::lock_guard lock(write_mutex_);
    auto source = stored_person(transfer.from_person_id);
    if (!source)
        throw Error(ErrorCode::kNotFound, "No person with this id.",
                    {{"person_id", transfer.from_person_id}});
    std::optional<StoredPerson> target;
    if (transfer.new_person) {
        check_external_id_free(transfer.new_person->external_id, transfer.to_person_id);
    } else {
        target = stored_person(transfer.to_person_id);
        if (!target)
            throw Error(ErrorCode::kNotFound, "No person with this id.",
                        {{"person_id", transfer.to_person_id}});
    }

    // Work out the whole change before writing anything.
    std::unordered_map<std::string, StoredFace> source_faces, target_faces;
    for (auto& face : live_faces_of(transfer.from_person_id)) source_faces.emplace(face.record.id, face);
    if (target)
        for (auto& face : live_faces_of(transfer.to_person_id)) target_faces.emplace(face.record.id, face);
    std::vector<FaceRecord> copies;
    std::vector<const StoredFace*> gone;  // tombstones to write
    for (const FaceMove& move : transfer.moves) {
        auto found = source_faces.find(move.face_id);
        if (found == source_faces.end())
            throw Error(ErrorCode::kConflict, "This face is no longer one of the person's faces.",
                        {{"face_id", move.face_id}});
        FaceRecord copy = found->second.record;
        copy.label = move.new_label;
        copy.id = face_id_from_label(move.new_label);
        copy.person_id = transfer.to_person_id;
        copies.push_back(std::move(copy));
        gone.push_back(&found->second);
    }
    const std::unordered_set<std::string> dropping(transfer.dropped_face_ids.begin(),
                                                   transfer.dropped_face_ids.end());
    for (auto* faces : {&source_faces, &target_faces})
        for (const auto& [id, face] : *faces)
            if (dropping.count(id)) gone.push_back(&face);
    const std::unordered_set<const StoredFace*> removed(gone.begin(), gone.end());
    std::vector<FaceRecord> source_left, target_left = copies;
    for (const auto& [id, face] : source_faces)
        if (!removed.count(&face)) source_left.push_back(face.record);
    for (const auto& [id, face] : target_faces)
        if (!removed.count(&face)) target_left.push_back(face.record);
    if (target_left.empty()) throw Error(ErrorCode::kInternal, "a transfer must leave the target a face");
    if (transfer.target_primary &&
        std::none_of(target_left.begin(), target_left.end(),
                     [&](const FaceRecord& f) { return f.id == *transfer.target_primary; }))
        throw Error(ErrorCode::kInternal, "the target's primary is not one of its faces");
    const std::string target_primary = settled_primary(
        target_left, transfer.target_primary ? transfer.target_primary
                                             : (target ? target->record.primary_face_id : std::nullopt));
    // What a merge carries over: the source's external id only when the target has none and nobody but the
    // source (written as deleted below) holds it.
    std::optional<PersonRecord> carried;
    if (transfer.carried_over && target) {
        carried = target->record;
        carried->metadata = transfer.carried_over->metadata;
        const auto& external_id = transfer.carried_over->external_id;
        if (!carried->external_id && external_id && source_left.empty() &&
            select_persons("",
                           "external_id = " + quote_string(*external_id) + " AND id NOT IN (" +
                               quote_string(transfer.from_person_id) + ", " +
                               quote_string(transfer.to_person_id) + ")",
                           "LIMIT 1", FaceCounts::kSkip)
                .empty())
            carried->external_id = external_id;
    }

    // 1. A source left without faces goes first (as in delete_person), so it is never seen empty.
    if (source_left.empty()) write_person(source->record, clock_.next(source->version + 1), true);
    // 2. The copies and the tombstones in one INSERT (one block, visible at once).
    RowBinaryWriter faces;
    for (const auto& copy : copies) write_face_row(faces, copy, clock_.next(), false);
    for (const StoredFace* face : gone)
        write_face_row(faces, face->record, clock_.next(face->version + 1), true);
    client_.insert(kFaceTable, faces.bytes());
    for (const auto& copy : copies) remember_photo(copy.photo_key, transfer.to_person_id);
    // 3. The target: created after its faces (as in create_person), or given its new primary.
    if (transfer.new_person) {
        PersonRecord created = *transfer.new_person;
        created.primary_face_id = target_primary;
        if (!created.created_at_ms) created.created_at_ms = now_ms();
        created.updated_at_ms = created.created_at_ms;
        write_person(created, clock_.next(), false);
    } else {
        PersonRecord updated = carried ? *carried : target->record;
        updated.primary_face_id = target_primary;
        updated.updated_at_ms = now_ms();
        write_person(updated, clock_.next(target->version + 1), false);
    }
    // 4. A source that keeps faces gets a primary among them.
    if (!source_left.empty()) {
        const std::string primary = settled_primary(source_left, source->record.primary_face_id);
        if (primary != source->record.primary_face_id) {
            PersonRecord updated = source->record;
            updated.primary_face_id = primary;
            write_person(updated, clock_.next(source->version + 1), false);
        }
    }
}

void ClickHousePersonRepository::keep_apart(const std::string& person_a, const std::string& person_b) {
    const auto [a, b] = std::minmax(person_a, person_b);
    const auto live = live_person_ids("id IN " + quoted_list({a, b}));
    for (const std::string& id : {a, b})
        if (std::find(live.begin(), live.end(), id) == live.end())
            throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", id}});
    RowBinaryWriter row;
    row.string(a).string(b).i64(now_ms());
    client_.insert("kept_apart (person_a, person_b, created_at)", row.bytes());
}

std::vector<std::pair<std::string, std::string>> ClickHousePersonRepository::kept_apart_pairs() {
    const std::string body =
        client_.query("SELECT DISTINCT person_a, person_b FROM kept_apart FORMAT RowBinary");
    RowBinaryReader reader(body);
    std::vector<std::pair<std::string, std::string>> pairs;
    std::vector<std::string> ids;
    while (!reader.at_end()) {
        std::string a = reader.string();
        std::string b = reader.string();
        ids.push_back(a);
        ids.push_back(b);
        pairs.emplace_back(std::move(a), std::move(b));
    }
    if (pairs.empty()) return pairs;
    // Pairs of deleted persons are left out, as SQLite's cascade removes them.
    const auto live_ids = live_person_ids("id IN " + quoted_list(ids));
    const std::unordered_set<std::string> live(live_ids.begin(), live_ids.end());
    std::erase_if(pairs,
                  [&](const auto& pair) { return !live.count(pair.first) || !live.count(pair.second); });
    return pairs;
}

}  // namespace faceid
