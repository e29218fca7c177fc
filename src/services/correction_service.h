#pragma once
// Corrections people make by hand (issue 13): pin a person's primary photo, merge two persons, move a face
// to another person or to a new one ("this is not X"), and keep two persons apart in the duplicates
// review. These are explicit decisions, so no match check applies; the template limit does: a merge or a
// move that leaves a person with more than max_templates templates drops the lowest-quality ones (never
// the primary, never a face the caller moved by name) and reports them.
#include "core/records.h"
#include "repositories/gallery_corrections.h"
#include "services/gallery.h"
#include "services/person_locks.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faceid {

// Where a face moves: an existing person, or a new person with these fields.
struct MoveTarget {
    std::optional<std::string> person_id;
    std::optional<std::string> name;
    std::optional<std::string> external_id;
    std::optional<nlohmann::json> metadata;
};

struct TransferResult {
    PersonRecord person;                      // the target as stored afterwards
    std::optional<PersonRecord> from_person;  // the source afterwards; nullopt when it is gone (merged)
    // Old face id -> new face id of every face that moved (a moved face gets a new id).
    std::vector<std::pair<std::string, std::string>> moved;
    std::vector<std::string> dropped_face_ids;  // removed for the template limit
    bool created = false;                       // the target is a new person
};

class CorrectionService {
  public:
    // `locks`: registration's per-person locks (RegistrationService::person_locks()), so that a merge or a
    // move and a registration on the same person cannot both decide from the same template count.
    CorrectionService(Gallery& gallery, GalleryCorrections& corrections, int max_templates,
                      PersonLocks& locks);

    // Makes the face the person's pinned primary. Error(kNotFound) for an unknown person or a face that
    // is not theirs.
    PersonRecord pin_primary(const std::string& person_id, const std::string& face_id);
    bool is_primary_pinned(const std::string& person_id);

    // Moves every face of `from_id` to `into_id`; `from_id` is then gone. The target keeps its name,
    // external id and metadata; what it lacks is filled from the source (its external id when the target
    // has none, and each metadata key the target does not have), so nothing the source carried is lost.
    // Error(kNotFound) for an unknown person, Error(kInvalidField) when both are the same person.
    TransferResult merge(const std::string& into_id, const std::string& from_id);
    // Moves one face to another person or a new one (a name is then required). Error(kNotFound) for an
    // unknown face or person, Error(kInvalidField) when the target is the face's own person,
    // Error(kMissingField) without a target, Error(kConflict) for an external_id already taken.
    TransferResult move_face(const std::string& face_id, const MoveTarget& target);

    // Error(kNotFound) for an unknown person, Error(kInvalidField) for the same person twice.
    void keep_apart(const std::string& person_a, const std::string& person_b);
    std::vector<std::pair<std::string, std::string>> kept_apart_pairs();

  private:
    // Plans and applies the transfer of `moving` (faces of `from`) to the target, then brings the index in
    // step and reclaims the files of dropped faces. `keep_moved`: the moved faces are never dropped.
    // `carried_over`: fields the (existing) target takes from the source in the same change.
    TransferResult transfer(const PersonRecord& from, const std::vector<FaceRecord>& moving,
                            const std::optional<PersonRecord>& into, std::optional<PersonRecord> new_person,
                            bool keep_moved,
                            std::optional<FaceTransfer::CarriedOver> carried_over = std::nullopt);

    Gallery& gallery_;
    GalleryCorrections& corrections_;
    int max_templates_;
    PersonLocks& locks_;
};

}  // namespace faceid
