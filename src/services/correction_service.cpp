#include "services/correction_service.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "services/person_service.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace faceid {
namespace {

[[noreturn]] void person_not_found(const std::string& id) {
    throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", id.substr(0, 64)}});
}

// What the merge target lacks, filled from the source: the external id when it has none, and the metadata
// keys it does not have (its own values win). nullopt when nothing changes.
std::optional<FaceTransfer::CarriedOver> fill_from(const PersonRecord& target, const PersonRecord& source) {
    FaceTransfer::CarriedOver carried{std::nullopt, target.metadata};
    bool changed = false;
    if (!target.external_id && source.external_id) {
        carried.external_id = source.external_id;
        changed = true;
    }
    if (source.metadata.is_object()) {
        if (!carried.metadata.is_object()) carried.metadata = nlohmann::json::object();
        for (const auto& [key, value] : source.metadata.items())
            if (!carried.metadata.contains(key)) {
                carried.metadata[key] = value;
                changed = true;
            }
    }
    return changed ? std::optional(std::move(carried)) : std::nullopt;
}

}  // namespace

CorrectionService::CorrectionService(Gallery& gallery, GalleryCorrections& corrections, int max_templates,
                                     PersonLocks& locks)
    : gallery_(gallery),
      corrections_(corrections),
      max_templates_(std::max(1, max_templates)),
      locks_(locks) {}

PersonRecord CorrectionService::pin_primary(const std::string& person_id, const std::string& face_id) {
    PersonService::check_person_id(person_id);
    if (!is_well_formed_id(face_id, 'f') || !corrections_.pin_primary(person_id, face_id)) {
        if (!gallery_.persons().get_person(person_id)) person_not_found(person_id);
        throw Error(ErrorCode::kNotFound, "This face is not one of the person's photos.",
                    {{"face_id", face_id.substr(0, 64)}, {"person_id", person_id}});
    }
    auto person = gallery_.persons().get_person(person_id);
    if (!person) person_not_found(person_id);
    return *person;
}

bool CorrectionService::is_primary_pinned(const std::string& person_id) {
    return corrections_.pinned_primary(person_id).has_value();
}

TransferResult CorrectionService::merge(const std::string& into_id, const std::string& from_id) {
    PersonService::check_person_id(into_id);
    PersonService::check_person_id(from_id);
    if (into_id == from_id)
        throw Error(ErrorCode::kInvalidField, "A person cannot be merged into themselves.",
                    {{"field", "person_id"}});
    // Both persons' faces are read and written under their locks: a registration adding to either at the
    // same time would otherwise count from the same faces and leave the target over the template limit.
    const auto locked = locks_.lock_both(into_id, from_id);
    auto into = gallery_.persons().get_person(into_id);
    if (!into) person_not_found(into_id);
    auto from = gallery_.persons().get_person(from_id);
    if (!from) person_not_found(from_id);
    // What the target lacks comes over in the same change as the faces: a crash cannot lose it with the
    // source.
    return transfer(*from, gallery_.persons().faces_of(from_id), into, std::nullopt, /*keep_moved=*/false,
                    fill_from(*into, *from));
}

TransferResult CorrectionService::move_face(const std::string& face_id, const MoveTarget& target) {
    PersonService::check_face_id(face_id);
    auto face = gallery_.persons().get_face(face_id);
    if (!face) throw Error(ErrorCode::kNotFound, "No face with this id.", {{"face_id", face_id}});
    // Under the locks of the face's person and the target (a new person needs none: nobody else knows
    // its id yet); the face is read again under them, since it may have moved or gone meanwhile.
    const auto locked = locks_.lock_both(face->person_id, target.person_id.value_or(face->person_id));
    face = gallery_.persons().get_face(face_id);
    if (!face) throw Error(ErrorCode::kNotFound, "No face with this id.", {{"face_id", face_id}});
    auto from = gallery_.persons().get_person(face->person_id);
    if (!from) throw Error(ErrorCode::kNotFound, "No face with this id.", {{"face_id", face_id}});
    if (target.person_id) {
        PersonService::check_person_id(*target.person_id);
        if (*target.person_id == from->id)
            throw Error(ErrorCode::kInvalidField, "The face already belongs to this person.",
                        {{"field", "person_id"}});
        auto into = gallery_.persons().get_person(*target.person_id);
        if (!into) person_not_found(*target.person_id);
        return transfer(*from, {*face}, into, std::nullopt, /*keep_moved=*/true);
    }
    if (!target.name || target.name->empty())
        throw Error(ErrorCode::kMissingField,
                    "Name the person to move the face to (person_id), or give a name "
                    "for a new person.",
                    {{"field", "person_id"}});
    PersonRecord person;
    person.id = new_person_id();
    person.name = *target.name;
    person.external_id =
        target.external_id && !target.external_id->empty() ? target.external_id : std::nullopt;
    person.metadata = target.metadata.value_or(nlohmann::json::object());
    person.created_at_ms = person.updated_at_ms = now_ms();
    if (person.external_id && gallery_.persons().find_by_external_id(*person.external_id))
        throw Error(ErrorCode::kConflict, "external_id is already used by another person",
                    {{"field", "external_id"}});
    return transfer(*from, {*face}, std::nullopt, std::move(person), /*keep_moved=*/true);
}

TransferResult CorrectionService::transfer(const PersonRecord& from, const std::vector<FaceRecord>& moving,
                                           const std::optional<PersonRecord>& into,
                                           std::optional<PersonRecord> new_person, bool keep_moved,
                                           std::optional<FaceTransfer::CarriedOver> carried_over) {
    const std::vector<FaceRecord> staying =
        into ? gallery_.persons().faces_of(into->id) : std::vector<FaceRecord>{};
    const std::optional<std::string> pinned = into ? corrections_.pinned_primary(into->id) : std::nullopt;

    // The target's primary: a pinned one stays; otherwise the current one, unless a moving face has a
    // better quality (the automatic rule of registration); a new person gets the best moving face.
    const FaceRecord* primary = nullptr;
    for (const auto& f : staying)
        if (into && into->primary_face_id == f.id) primary = &f;
    if (!pinned)
        for (const auto& f : moving)
            if (!primary || f.quality_score > primary->quality_score) primary = &f;
    if (!primary) primary = staying.empty() ? &moving.front() : &staying.front();

    // Over the limit: the lowest-quality faces go, never the primary (nor, for a move, the moved face).
    std::vector<const FaceRecord*> candidates;
    for (const auto& f : staying) candidates.push_back(&f);
    if (!keep_moved)
        for (const auto& f : moving) candidates.push_back(&f);
    std::sort(candidates.begin(), candidates.end(),
              [](const FaceRecord* a, const FaceRecord* b) { return a->quality_score < b->quality_score; });
    int excess = int(staying.size() + moving.size()) - max_templates_;
    std::unordered_set<std::string> dropped;
    for (const FaceRecord* f : candidates) {
        if (excess <= 0) break;
        if (f == primary) continue;
        dropped.insert(f->id);
        --excess;
    }

    FaceTransfer plan;
    plan.from_person_id = from.id;
    plan.to_person_id = into ? into->id : new_person->id;
    TransferResult result;
    std::unordered_map<std::string, std::string> new_ids;
    FaceChanges index_changes;
    std::vector<FaceRecord> dropped_faces;
    for (const auto& f : moving) {
        if (dropped.count(f.id)) continue;
        FaceRecord copy = f;
        copy.label = random_label();
        copy.id = face_id_from_label(copy.label);
        copy.person_id = plan.to_person_id;
        plan.moves.push_back({f.id, copy.label});
        new_ids[f.id] = copy.id;
        result.moved.emplace_back(f.id, copy.id);
        index_changes.added.push_back(std::move(copy));
        index_changes.removed.push_back(f.label);
    }
    for (const auto* faces : {&staying, &moving})
        for (const auto& f : *faces)
            if (dropped.count(f.id)) {
                plan.dropped_face_ids.push_back(f.id);
                index_changes.removed.push_back(f.label);
                dropped_faces.push_back(f);
            }
    if (new_person || !pinned) {
        auto mapped = new_ids.find(primary->id);
        plan.target_primary = mapped == new_ids.end() ? primary->id : mapped->second;
    }
    plan.new_person = std::move(new_person);
    plan.carried_over = std::move(carried_over);
    corrections_.transfer_faces(plan);
    // Storage is committed: bring this process's index in step (other processes follow the change feed).
    gallery_.apply_changes(index_changes);
    gallery_.reclaim_blobs(dropped_faces);

    auto target = gallery_.persons().get_person(plan.to_person_id);
    if (!target) person_not_found(plan.to_person_id);  // deleted meanwhile
    result.person = std::move(*target);
    result.from_person = gallery_.persons().get_person(from.id);
    result.dropped_face_ids = plan.dropped_face_ids;
    result.created = plan.new_person.has_value();
    return result;
}

void CorrectionService::keep_apart(const std::string& person_a, const std::string& person_b) {
    PersonService::check_person_id(person_a);
    PersonService::check_person_id(person_b);
    if (person_a == person_b)
        throw Error(ErrorCode::kInvalidField, "Name two different persons.", {{"field", "person_ids"}});
    corrections_.keep_apart(person_a, person_b);
}

std::vector<std::pair<std::string, std::string>> CorrectionService::kept_apart_pairs() {
    return corrections_.kept_apart_pairs();
}

}  // namespace faceid
