#pragma once
// Corrections people make to the gallery by hand (issue 13), kept apart from PersonRepository's everyday
// reads and writes: pin a person's primary photo, move faces from one person to another (a merge, "this is
// not X"), and remember that two persons the duplicates review listed are different people. Every write
// is atomic (SQLite: one transaction; ClickHouse: ordered INSERTs as in PersonRepository). One contract
// suite (tests/contract/gallery_corrections_contract.cpp) runs against every implementation.
#include "core/records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faceid {

// One face leaving its person: it is stored again under a new label (so a new face id) for the target
// and removed from the source. A new label, rather than a changed owner, keeps every process's index
// (and the ClickHouse change feed, which reports faces by label) right without a new kind of change.
struct FaceMove {
    std::string face_id;  // a face of FaceTransfer::from_person_id
    uint64_t new_label = 0;
};

struct FaceTransfer {
    std::string from_person_id;
    std::string to_person_id;
    // Set: the target is created by this transfer (new_person->id == to_person_id); its primary is
    // target_primary, which must then be set.
    std::optional<PersonRecord> new_person;
    std::vector<FaceMove> moves;
    // Faces of either person removed in the same change (the target's template limit). A moved face that
    // is dropped is named by its old id and not moved.
    std::vector<std::string> dropped_face_ids;
    // The target's primary afterwards (a face id as it is after the move); unset: kept, or settled as
    // after a delete when it was dropped.
    std::optional<std::string> target_primary;
    // Set, for an existing target: what a merge carries over from the source, written in the same change
    // so that a crash cannot lose it with the source. The metadata replaces the target's; the external id
    // is the source's, taken only when the target has none and no third person holds it by then.
    struct CarriedOver {
        std::optional<std::string> external_id;
        nlohmann::json metadata;
    };
    std::optional<CarriedOver> carried_over;
};

class GalleryCorrections {
  public:
    virtual ~GalleryCorrections() = default;

    // Makes face_id the person's primary and pins it: automatic choices (a better photo registered later)
    // leave a pinned primary alone until someone pins another one. A pin ends when its face is removed.
    // Returns false when the face is not one of the person's.
    virtual bool pin_primary(const std::string& person_id, const std::string& face_id) = 0;
    // The person's primary face id when it is pinned, else nullopt.
    virtual std::optional<std::string> pinned_primary(const std::string& person_id) = 0;

    // Applies the transfer as one change. The source keeps its remaining faces (its primary settled as
    // after a delete), or is deleted when none is left. Throws Error(kNotFound) when the source or the
    // (existing) target is gone, Error(kConflict) when a moved face is no longer the source's; nothing is
    // written then.
    virtual void transfer_faces(const FaceTransfer& transfer) = 0;

    // Notes that the two persons are different people (the order of the ids does not matter).
    virtual void keep_apart(const std::string& person_a, const std::string& person_b) = 0;
    // Every pair noted, each with the smaller id first, in no particular order.
    virtual std::vector<std::pair<std::string, std::string>> kept_apart_pairs() = 0;
};

}  // namespace faceid
