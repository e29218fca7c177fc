// ClickHousePersonRepository as RetentionQueries: what a retention policy may remove, and removing it.
#include "repositories/clickhouse/clickhouse_person_repository.h"

#include "core/ids.h"
#include "repositories/clickhouse/clickhouse_face_rows.h"
#include "repositories/clickhouse/clickhouse_sql.h"
#include "repositories/clickhouse/row_binary.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace faceid {

std::vector<std::string> ClickHousePersonRepository::persons_for_retention(int64_t created_before_ms,
                                                                           int max_faces) {
    std::unordered_set<std::string> found;
    if (created_before_ms > 0) {
        // Persons with a face older than the cutoff, then those of them whose old face is not the primary.
        const std::string old_faces = live_faces_filter("created_at < " + std::to_string(created_before_ms));
        const std::string body =
            client_.query("SELECT person_id, label FROM faces WHERE " + old_faces + " FORMAT RowBinary");
        RowBinaryReader reader(body);
        std::unordered_map<std::string, std::vector<std::string>> old_face_ids;
        while (!reader.at_end()) {
            std::string person_id = reader.string();
            old_face_ids[person_id].push_back(face_id_from_label(reader.u64()));
        }
        std::vector<std::string> ids;
        for (const auto& [id, faces] : old_face_ids) ids.push_back(id);
        for (size_t begin = 0; begin < ids.size(); begin += 1000) {
            const std::vector<std::string> chunk(ids.begin() + begin,
                                                 ids.begin() + std::min(ids.size(), begin + 1000));
            for (const auto& stored :
                 select_persons("id IN " + quoted_list(chunk), "", "", FaceCounts::kSkip))
                for (const auto& face_id : old_face_ids[stored.record.id])
                    if (face_id != stored.record.primary_face_id) found.insert(stored.record.id);
        }
    }
    if (max_faces > 0)
        for (auto& id :
             live_person_ids("id IN (SELECT person_id FROM faces WHERE " + live_faces_filter("1") +
                             " GROUP BY person_id HAVING count() > " + std::to_string(max_faces) + ")"))
            found.insert(std::move(id));
    return {found.begin(), found.end()};
}

std::vector<std::string> ClickHousePersonRepository::inactive_persons(int64_t before_ms) {
    const std::string before = std::to_string(before_ms);
    std::vector<std::string> ids;
    for (auto& stored : select_persons(
             "created_at < " + before,
             "updated_at < " + before + " AND id NOT IN (SELECT person_id FROM faces WHERE " +
                 live_faces_filter("created_at >= " + before) +
                 ") AND id NOT IN (SELECT person_id FROM person_matches WHERE matched_at >= " + before + ")",
             "", FaceCounts::kSkip))
        ids.push_back(std::move(stored.record.id));
    return ids;
}

std::vector<FaceRecord> ClickHousePersonRepository::remove_templates(
    const std::string& person_id, const std::vector<std::string>& face_ids) {
    if (face_ids.empty()) return {};
    std::lock_guard lock(write_mutex_);
    auto person = stored_person(person_id);
    if (!person) return {};
    const std::unordered_set<std::string> removing(face_ids.begin(), face_ids.end());
    std::vector<StoredFace> removed;
    for (auto& stored : live_faces_of(person_id))
        if (removing.count(stored.record.id) && stored.record.id != person->record.primary_face_id)
            removed.push_back(std::move(stored));
    if (removed.empty()) return {};
    // All tombstones in one INSERT: visible at once. The primary stays, so the person row is unchanged.
    RowBinaryWriter tombstones;
    for (const auto& face : removed)
        write_face_row(tombstones, face.record, clock_.next(face.version + 1), /*deleted=*/true);
    client_.insert(kFaceTable, tombstones.bytes());
    std::vector<FaceRecord> out;
    for (auto& face : removed) out.push_back(std::move(face.record));
    return out;
}

}  // namespace faceid
