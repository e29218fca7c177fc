#include "repositories/record_checks.h"

#include "core/error.h"
#include "core/ids.h"

#include <cstdint>
#include <limits>

namespace faceid {

void check_person_id(const std::string& id) {
    if (id.empty()) throw Error(ErrorCode::kInternal, "a person record needs an id");
}

void check_face(const FaceRecord& face) {
    if (face.label == 0 || face.label > uint64_t(std::numeric_limits<int64_t>::max()))
        throw Error(ErrorCode::kInternal, "a face label must be a non-zero 63-bit number");
    if (!face.id.empty() && face.id != face_id_from_label(face.label))
        throw Error(ErrorCode::kInternal, "a face id must be face_id_from_label(label)");
    if (face.embedding.empty()) throw Error(ErrorCode::kInternal, "a face record needs an embedding");
}

void check_face_transfer(const FaceTransfer& transfer) {
    check_person_id(transfer.from_person_id);
    check_person_id(transfer.to_person_id);
    if (transfer.from_person_id == transfer.to_person_id)
        throw Error(ErrorCode::kInternal, "a transfer needs two different persons");
    if (transfer.new_person && (transfer.new_person->id != transfer.to_person_id || !transfer.target_primary))
        throw Error(ErrorCode::kInternal, "a new target needs its id and its primary");
    if (transfer.new_person && transfer.carried_over)
        throw Error(ErrorCode::kInternal, "only an existing target takes fields over");
}

}  // namespace faceid
