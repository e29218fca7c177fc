#include "support/in_memory_person_stores.h"

#include "core/case_fold.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "repositories/list_cursor.h"
#include "repositories/record_checks.h"

#include <algorithm>
#include <tuple>

namespace faceid::testing {

PersonRecord InMemoryPersonStores::read_person(const PersonRecord& stored) const {
    PersonRecord person = stored;
    person.face_count = 0;
    for (const auto& [id, face] : faces_)
        if (face.person_id == stored.id) ++person.face_count;
    return person;
}

std::vector<FaceRecord> InMemoryPersonStores::faces_of_locked(const std::string& person_id) const {
    std::vector<FaceRecord> faces;
    for (const auto& [id, face] : faces_)
        if (face.person_id == person_id) faces.push_back(face);
    std::sort(faces.begin(), faces.end(), [](const FaceRecord& a, const FaceRecord& b) {
        return std::tie(a.created_at_ms, a.id) < std::tie(b.created_at_ms, b.id);
    });
    return faces;
}

void InMemoryPersonStores::check_external_id_free(const std::optional<std::string>& external_id,
                                                  const std::string& id) const {
    if (!external_id) return;
    for (const auto& [other_id, person] : persons_)
        if (other_id != id && person.external_id == external_id)
            throw Error(ErrorCode::kConflict, "external_id is already used by another person",
                        {{"field", "external_id"}});
}

void InMemoryPersonStores::insert_face(FaceRecord face, const std::string& person_id) {
    check_face(face);
    face.id = face_id_from_label(face.label);
    face.person_id = person_id;
    if (!face.created_at_ms) face.created_at_ms = now_ms();
    if (faces_.count(face.id)) throw Error(ErrorCode::kConflict, "the face is already stored");
    history_.emplace(face.photo_key, person_id);
    faces_.emplace(face.id, std::move(face));
}

void InMemoryPersonStores::settle_primary(const std::string& person_id) {
    const auto faces = faces_of_locked(person_id);
    if (faces.empty()) {
        persons_.erase(person_id);
        std::erase_if(history_, [&](const auto& entry) { return entry.second == person_id; });
        return;
    }
    PersonRecord& person = persons_.at(person_id);
    for (const auto& face : faces)
        if (person.primary_face_id == face.id) return;
    const auto best =
        std::min_element(faces.begin(), faces.end(), [](const FaceRecord& a, const FaceRecord& b) {
            return std::tuple(-a.quality_score, a.created_at_ms, a.id) <
                   std::tuple(-b.quality_score, b.created_at_ms, b.id);
        });
    person.primary_face_id = best->id;
}

void InMemoryPersonStores::erase_face(const std::string& face_id) {
    faces_.erase(face_id);
}

void InMemoryPersonStores::create_person(const PersonRecord& person, const FaceRecord& first_face) {
    check_person_id(person.id);
    if (!first_face.person_id.empty() && first_face.person_id != person.id)
        throw Error(ErrorCode::kInternal, "the first face belongs to another person");
    check_face(first_face);
    std::lock_guard lock(mutex_);
    check_external_id_free(person.external_id, person.id);
    if (persons_.count(person.id)) throw Error(ErrorCode::kConflict, "the person is already stored");
    PersonRecord stored = person;
    stored.created_at_ms = person.created_at_ms ? person.created_at_ms : now_ms();
    stored.updated_at_ms = person.updated_at_ms ? person.updated_at_ms : stored.created_at_ms;
    stored.primary_face_id = face_id_from_label(first_face.label);
    stored.last_matched_at_ms.reset();
    insert_face(first_face, person.id);
    persons_.emplace(person.id, std::move(stored));
}

void InMemoryPersonStores::add_template(const TemplateChange& change) {
    const std::string& person_id = change.added.person_id;
    check_person_id(person_id);
    check_face(change.added);
    std::lock_guard lock(mutex_);
    if (!persons_.count(person_id))
        throw Error(ErrorCode::kNotFound, "the person no longer exists", {{"person_id", person_id}});
    // All or nothing, as one transaction: check before changing anything.
    if (change.new_primary_face_id) {
        const bool dropped = std::count(change.dropped_face_ids.begin(), change.dropped_face_ids.end(),
                                        *change.new_primary_face_id) > 0;
        const auto it = faces_.find(*change.new_primary_face_id);
        const bool is_added = *change.new_primary_face_id == face_id_from_label(change.added.label);
        if (dropped || (!is_added && (it == faces_.end() || it->second.person_id != person_id)))
            throw Error(ErrorCode::kConflict, "the new primary face is not one of the person's faces",
                        {{"face_id", *change.new_primary_face_id}});
    }
    insert_face(change.added, person_id);
    for (const std::string& dropped : change.dropped_face_ids) {
        const auto it = faces_.find(dropped);
        if (it != faces_.end() && it->second.person_id == person_id) erase_face(dropped);
    }
    if (change.new_primary_face_id) persons_.at(person_id).primary_face_id = *change.new_primary_face_id;
    settle_primary(person_id);
}

std::optional<PersonRecord> InMemoryPersonStores::get_person(const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto it = persons_.find(id);
    if (it == persons_.end()) return std::nullopt;
    return read_person(it->second);
}

std::optional<PersonRecord> InMemoryPersonStores::find_by_external_id(const std::string& external_id) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, person] : persons_)
        if (person.external_id == external_id) return read_person(person);
    return std::nullopt;
}

std::vector<PersonRecord> InMemoryPersonStores::get_persons(const std::vector<std::string>& ids) {
    std::lock_guard lock(mutex_);
    std::vector<PersonRecord> out;
    for (const auto& id : std::set<std::string>(ids.begin(), ids.end()))
        if (const auto it = persons_.find(id); it != persons_.end()) out.push_back(read_person(it->second));
    return out;
}

PersonPage InMemoryPersonStores::list_persons(const PersonQuery& query) {
    if (query.limit < 1 || query.limit > 1000)
        throw Error(ErrorCode::kInvalidField, "limit must be between 1 and 1000", {{"field", "limit"}});
    std::optional<std::pair<int64_t, std::string>> after;
    if (!query.cursor.empty()) after = decode_list_cursor(query.cursor);
    std::optional<std::string> pattern;
    if (query.name_contains && !query.name_contains->empty()) pattern = fold_case(*query.name_contains);
    std::lock_guard lock(mutex_);
    std::vector<const PersonRecord*> ordered;
    for (const auto& [id, person] : persons_) {
        if (after && std::tie(person.created_at_ms, person.id) <= std::tie(after->first, after->second))
            continue;
        if (pattern && fold_case(person.name).find(*pattern) == std::string::npos) continue;
        ordered.push_back(&person);
    }
    std::sort(ordered.begin(), ordered.end(), [](const PersonRecord* a, const PersonRecord* b) {
        return std::tie(a->created_at_ms, a->id) < std::tie(b->created_at_ms, b->id);
    });
    PersonPage page;
    for (size_t i = 0; i < ordered.size() && i < size_t(query.limit); ++i)
        page.persons.push_back(read_person(*ordered[i]));
    if (ordered.size() > size_t(query.limit)) {
        const PersonRecord& last = page.persons.back();
        page.next_cursor = encode_list_cursor(last.created_at_ms, last.id);
    }
    return page;
}

bool InMemoryPersonStores::update_person(const PersonRecord& person) {
    std::lock_guard lock(mutex_);
    const auto it = persons_.find(person.id);
    if (it == persons_.end()) return false;
    check_external_id_free(person.external_id, person.id);
    it->second.name = person.name;
    it->second.external_id = person.external_id;
    it->second.metadata = person.metadata;
    it->second.updated_at_ms = person.updated_at_ms ? person.updated_at_ms : now_ms();
    return true;
}

std::vector<FaceRecord> InMemoryPersonStores::delete_person(const std::string& id) {
    std::lock_guard lock(mutex_);
    if (!persons_.count(id)) return {};
    auto faces = faces_of_locked(id);
    for (const auto& face : faces) erase_face(face.id);
    settle_primary(id);  // no face left: removes the person and its photo history
    return faces;
}

std::optional<FaceRecord> InMemoryPersonStores::get_face(const std::string& face_id) {
    std::lock_guard lock(mutex_);
    const auto it = faces_.find(face_id);
    if (it == faces_.end()) return std::nullopt;
    return it->second;
}

std::vector<FaceRecord> InMemoryPersonStores::faces_of(const std::string& person_id) {
    std::lock_guard lock(mutex_);
    return faces_of_locked(person_id);
}

std::optional<FaceRecord> InMemoryPersonStores::delete_face(const std::string& face_id) {
    std::lock_guard lock(mutex_);
    const auto it = faces_.find(face_id);
    if (it == faces_.end()) return std::nullopt;
    FaceRecord face = it->second;
    erase_face(face_id);
    settle_primary(face.person_id);
    return face;
}

void InMemoryPersonStores::for_each_face(const std::function<void(const FaceRecord&)>& fn) {
    std::vector<FaceRecord> snapshot;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, face] : faces_) snapshot.push_back(face);
    }
    for (const auto& face : snapshot) fn(face);  // fn may call back into the stores
}

int64_t InMemoryPersonStores::count_persons() {
    std::lock_guard lock(mutex_);
    return int64_t(persons_.size());
}

int64_t InMemoryPersonStores::count_faces() {
    std::lock_guard lock(mutex_);
    return int64_t(faces_.size());
}

bool InMemoryPersonStores::is_blob_referenced(const std::string& key) {
    std::lock_guard lock(mutex_);
    return std::any_of(faces_.begin(), faces_.end(), [&](const auto& entry) {
        return entry.second.photo_key == key || entry.second.crop_key == key;
    });
}

std::vector<FaceRecord> InMemoryPersonStores::faces_with_photo(const std::string& photo_key) {
    std::lock_guard lock(mutex_);
    std::vector<FaceRecord> out;
    for (const auto& [id, face] : faces_)
        if (face.photo_key == photo_key) out.push_back(face);
    return out;
}

std::vector<std::string> InMemoryPersonStores::persons_with_photo(const std::string& photo_key) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [key, person_id] : history_)
        if (key == photo_key) ids.push_back(person_id);
    return ids;
}

std::vector<std::string> InMemoryPersonStores::persons_for_retention(int64_t created_before_ms,
                                                                     int max_faces) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, person] : persons_) {
        const auto faces = faces_of_locked(id);
        const bool old_template = std::any_of(faces.begin(), faces.end(), [&](const FaceRecord& face) {
            return face.created_at_ms < created_before_ms && person.primary_face_id != face.id;
        });
        if (old_template || (max_faces > 0 && faces.size() > size_t(max_faces))) ids.push_back(id);
    }
    return ids;
}

std::vector<std::string> InMemoryPersonStores::inactive_persons(int64_t before_ms) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, person] : persons_) {
        if (person.created_at_ms >= before_ms || person.updated_at_ms >= before_ms) continue;
        if (person.last_matched_at_ms.value_or(0) >= before_ms) continue;
        const auto faces = faces_of_locked(id);
        if (std::any_of(faces.begin(), faces.end(),
                        [&](const FaceRecord& f) { return f.created_at_ms >= before_ms; }))
            continue;
        ids.push_back(id);
    }
    return ids;
}

std::vector<FaceRecord> InMemoryPersonStores::remove_templates(const std::string& person_id,
                                                               const std::vector<std::string>& face_ids) {
    std::lock_guard lock(mutex_);
    const auto person = persons_.find(person_id);
    if (person == persons_.end()) return {};
    std::vector<FaceRecord> removed;
    for (const auto& face_id : face_ids) {
        const auto it = faces_.find(face_id);
        if (it == faces_.end() || it->second.person_id != person_id ||
            person->second.primary_face_id == face_id)
            continue;
        removed.push_back(it->second);
        erase_face(face_id);
    }
    return removed;
}

void InMemoryPersonStores::record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) {
    std::lock_guard lock(mutex_);
    for (const auto& [person_id, at] : matched_at) {
        const auto it = persons_.find(person_id);
        if (it == persons_.end()) continue;
        if (!it->second.last_matched_at_ms || *it->second.last_matched_at_ms < at)
            it->second.last_matched_at_ms = at;
    }
}

}  // namespace faceid::testing
