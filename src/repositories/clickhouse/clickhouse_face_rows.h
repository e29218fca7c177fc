#pragma once
// How a FaceRecord is stored in the faces table (see clickhouse_schema.cpp) and which rows are live.
// Shared by the repository and the change stream.
#include "core/records.h"
#include "repositories/clickhouse/row_binary.h"

#include <optional>
#include <string>
#include <vector>

namespace faceid {

// The columns read_face_row() expects, in order.
inline constexpr const char* kFaceColumns =
    "label, person_id, embedding, quality, quality_score, box, landmarks, photo_key, crop_key, created_at";
// The INSERT target write_face_row() fills.
inline constexpr const char* kFaceTable =
    "faces (label, person_id, embedding, quality, quality_score, box, landmarks, photo_key, crop_key, "
    "created_at, version, deleted)";

// A face has at most two rows: itself and, once deleted, its tombstone. The live faces among those that
// `filter` selects (a condition on columns that never change for a label: label, person_id, photo_key,
// crop_key, created_at) are the ones without a tombstone.
std::string live_faces_filter(const std::string& filter);

// Fills face in place (reusing its buffers) from one row of kFaceColumns.
void read_face_row(RowBinaryReader& reader, FaceRecord& face);
// One row of kFaceTable. A tombstone (deleted) keeps every column but the embedding, which it leaves empty.
void write_face_row(RowBinaryWriter& writer, const FaceRecord& face, uint64_t version, bool deleted);
// The face a registration, delete or transfer leaves as primary: `current` if still among `remaining`,
// else the best by quality_score (ties: the oldest, then the smallest id), as SQLite does. remaining must
// not be empty.
std::string settled_primary(const std::vector<FaceRecord>& remaining,
                            const std::optional<std::string>& current);

}  // namespace faceid
