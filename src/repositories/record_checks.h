#pragma once
// Checks of the records callers hand to a PersonRepository or GalleryCorrections, shared by every
// implementation. A violation is a bug in the caller, not a client error: they throw Error(kInternal).
#include "core/records.h"
#include "repositories/gallery_corrections.h"

#include <string>

namespace faceid {

void check_person_id(const std::string& id);
// A non-zero 63-bit label, an id that is face_id_from_label(label) (or empty), and an embedding.
void check_face(const FaceRecord& face);
// Two different valid person ids; a new target carries the target's id and a primary.
void check_face_transfer(const FaceTransfer& transfer);

}  // namespace faceid
