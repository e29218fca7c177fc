// ClickHousePersonRepository as PhotoReferences: which live faces and persons use a photo-store key.
#include "repositories/clickhouse/clickhouse_person_repository.h"

#include "core/ids.h"
#include "repositories/clickhouse/clickhouse_face_rows.h"
#include "repositories/clickhouse/clickhouse_sql.h"
#include "repositories/clickhouse/row_binary.h"

#include <unordered_set>

namespace faceid {

bool ClickHousePersonRepository::is_blob_referenced(const std::string& key) {
    const std::string quoted = quote_string(key);
    const std::string text =
        client_.query("SELECT count() FROM faces WHERE " +
                      live_faces_filter("(photo_key = " + quoted + " OR crop_key = " + quoted + ")") +
                      " FORMAT TabSeparated");
    return std::stoll(text) > 0;
}

void ClickHousePersonRepository::remember_photo(const std::string& photo_key, const std::string& person_id) {
    RowBinaryWriter row;
    row.string(photo_key).string(person_id);
    client_.insert("photo_history (photo_key, person_id)", row.bytes());
}

std::vector<FaceRecord> ClickHousePersonRepository::faces_with_photo(const std::string& photo_key) {
    auto faces = select_faces("photo_key = " + quote_string(photo_key));
    if (faces.empty()) return {};
    // Only faces of live persons (a crash between the face and the person row leaves an orphan face).
    std::vector<std::string> person_ids;
    for (const auto& face : faces) person_ids.push_back(face.record.person_id);
    const auto live = live_person_ids("id IN " + quoted_list(person_ids));
    const std::unordered_set<std::string> live_set(live.begin(), live.end());
    std::vector<FaceRecord> out;
    for (auto& face : faces)
        if (live_set.count(face.record.person_id)) out.push_back(std::move(face.record));
    return out;
}

std::vector<std::string> ClickHousePersonRepository::persons_with_photo(const std::string& photo_key) {
    return live_person_ids(
        "id IN (SELECT person_id FROM photo_history WHERE photo_key = " + quote_string(photo_key) + ")");
}

}  // namespace faceid
