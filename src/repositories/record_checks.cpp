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

}  // namespace faceid
