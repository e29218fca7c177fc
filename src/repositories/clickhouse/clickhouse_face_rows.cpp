#include "repositories/clickhouse/clickhouse_face_rows.h"

#include "core/error.h"
#include "core/ids.h"

#include <tuple>

namespace faceid {

std::string live_faces_filter(const std::string& filter) {
    return "(" + filter + ") AND deleted = 0 AND label NOT IN (SELECT label FROM faces WHERE (" + filter +
           ") AND deleted = 1)";
}

void read_face_row(RowBinaryReader& reader, FaceRecord& face) {
    face.label = reader.u64();
    face.id = face_id_from_label(face.label);
    face.person_id = reader.string_view();
    reader.float_array(face.embedding);
    const std::string_view quality = reader.string_view();
    face.quality = nlohmann::json::parse(quality, nullptr, /*allow_exceptions=*/false);
    if (face.quality.is_discarded())
        throw Error(ErrorCode::kStorageError, "corrupt quality JSON in ClickHouse");
    face.quality_score = reader.f64();
    reader.float_array_exact(face.box);
    reader.float_array_exact(face.landmarks);
    face.photo_key = reader.string_view();
    face.crop_key = reader.string_view();
    face.created_at_ms = reader.i64();
}

void write_face_row(RowBinaryWriter& writer, const FaceRecord& face, uint64_t version, bool deleted) {
    writer.u64(face.label)
        .string(face.person_id)
        .float_array(deleted ? std::span<const float>() : std::span<const float>(face.embedding))
        .string(face.quality.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .f64(face.quality_score)
        .float_array(face.box)
        .float_array(face.landmarks)
        .string(face.photo_key)
        .string(face.crop_key)
        .i64(face.created_at_ms)
        .u64(version)
        .u8(deleted ? 1 : 0);
}

std::string settled_primary(const std::vector<FaceRecord>& remaining,
                            const std::optional<std::string>& current) {
    if (current)
        for (const auto& face : remaining)
            if (face.id == *current) return *current;
    const FaceRecord* best = &remaining.front();
    for (const auto& face : remaining) {
        auto key = [](const FaceRecord& f) { return std::tuple(-f.quality_score, f.created_at_ms, f.id); };
        if (key(face) < key(*best)) best = &face;
    }
    return best->id;
}

}  // namespace faceid
