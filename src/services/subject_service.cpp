#include "services/subject_service.h"

#include "core/error.h"

#include <algorithm>

namespace faceid {
namespace {

std::string external_id_of(const std::string& subject) {
    return std::string(kSubjectPrefix) + subject;
}

[[noreturn]] void subject_not_found(const std::string& subject) {
    throw Error(ErrorCode::kNotFound, "Subject " + subject + " not found", {{"subject", subject}});
}

[[noreturn]] void image_not_found(const std::string& image_id) {
    throw Error(ErrorCode::kNotFound, "Image " + image_id + " not found", {{"image_id", image_id}});
}

}  // namespace

std::optional<std::string> subject_of(const PersonRecord& person) {
    if (!person.external_id || !person.external_id->starts_with(kSubjectPrefix)) return std::nullopt;
    return person.external_id->substr(kSubjectPrefix.size());
}

SubjectService::SubjectService(Gallery& gallery, PersonService& persons, RegistrationService& registration,
                               CorrectionService& corrections)
    : gallery_(gallery), persons_(persons), registration_(registration), corrections_(corrections) {}

void SubjectService::check_name(const std::string& subject) {
    const bool control =
        std::any_of(subject.begin(), subject.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; });
    if (subject.empty() || control || subject.size() > kSubjectMaxLength)
        throw Error(ErrorCode::kInvalidField,
                    "subject must be 1 to " + std::to_string(kSubjectMaxLength) +
                        " characters without control characters.",
                    {{"field", "subject"}});
}

std::vector<PersonRecord> SubjectService::all_subjects() {
    // Subjects are persons like any other: the whole person list is read, a page of 1000 at a time.
    std::vector<PersonRecord> out;
    PersonQuery query;
    query.limit = 1000;
    for (;;) {
        auto page = gallery_.persons().list_persons(query);
        for (auto& person : page.persons)
            if (subject_of(person)) out.push_back(std::move(person));
        if (page.next_cursor.empty()) break;
        query.cursor = page.next_cursor;
    }
    return out;
}

std::vector<std::string> SubjectService::list() {
    std::vector<std::string> names;
    for (const auto& person : all_subjects()) names.push_back(*subject_of(person));
    return names;
}

std::optional<PersonRecord> SubjectService::find(const std::string& subject) {
    if (subject.empty() || subject.size() > kSubjectMaxLength) return std::nullopt;
    return gallery_.persons().find_by_external_id(external_id_of(subject));
}

PersonRecord SubjectService::get(const std::string& subject) {
    auto person = find(subject);
    if (!person) subject_not_found(subject.substr(0, kSubjectMaxLength));
    return *person;
}

RegistrationResult SubjectService::add_example(const std::string& subject, std::string photo,
                                               std::optional<double> min_detection_score) {
    check_name(subject);
    RegistrationRequest request;
    request.photo = std::move(photo);
    request.min_detection_score = min_detection_score;
    request.name = subject;
    request.external_id = external_id_of(subject);
    // A subject is whatever the client names it: two subjects may look alike (CompreFace does not refuse
    // them), so the duplicate check of new persons is off. The match check of an added example stays.
    request.allow_duplicate = true;
    return registration_.register_face(request);
}

SubjectExamplePage SubjectService::examples(const std::optional<std::string>& subject, int page, int size) {
    std::vector<PersonRecord> subjects;
    if (subject) {
        // A filter: an unknown subject has no examples (an empty page, not an error).
        if (auto person = find(*subject)) subjects.push_back(std::move(*person));
    } else {
        subjects = all_subjects();
    }
    SubjectExamplePage out;
    const int64_t first = int64_t(page) * size;
    for (const auto& person : subjects) {
        const std::string name = *subject_of(person);
        // Only a page of faces is read: whole subjects before or after the page are counted, not read (when
        // the store gave their face count).
        const bool outside_page =
            out.total + person.face_count <= first || int64_t(out.examples.size()) >= size;
        if (person.face_count > 0 && outside_page) {
            out.total += person.face_count;
            continue;
        }
        for (const auto& face : gallery_.persons().faces_of(person.id)) {
            if (out.total >= first && int64_t(out.examples.size()) < size)
                out.examples.push_back({face.id, name});
            ++out.total;
        }
    }
    return out;
}

FaceRecord SubjectService::example_face(const std::string& image_id) {
    if (image_id.size() > 64) image_not_found(image_id.substr(0, 64));
    auto face = gallery_.persons().get_face(image_id);
    if (!face) image_not_found(image_id);
    auto person = gallery_.persons().get_person(face->person_id);
    if (!person || !subject_of(*person)) image_not_found(image_id);
    return *face;
}

SubjectExample SubjectService::example(const std::string& image_id) {
    const auto face = example_face(image_id);
    auto person = gallery_.persons().get_person(face.person_id);
    if (!person) image_not_found(image_id);
    return {face.id, *subject_of(*person)};
}

SubjectExample SubjectService::delete_example(const std::string& image_id) {
    auto found = example(image_id);
    persons_.delete_face(image_id);
    return found;
}

std::vector<std::string> SubjectService::delete_examples(const std::optional<std::string>& subject) {
    std::vector<PersonRecord> subjects;
    if (subject) {
        auto person = find(*subject);
        if (person) subjects.push_back(*person);  // CompreFace answers "deleted": 0 for an unknown subject
    } else {
        subjects = all_subjects();
    }
    std::vector<std::string> deleted;
    for (const auto& person : subjects) {
        const auto removal = gallery_.remove_person(person.id);
        for (const auto& face : removal.faces) deleted.push_back(face.id);
    }
    return deleted;
}

std::vector<std::string> SubjectService::rename(const std::string& from, const std::string& to) {
    check_name(to);
    const auto source = get(from);
    if (from == to) return {};
    if (const auto target = find(to)) {
        corrections_.merge(target->id, source.id);
        return {target->id, source.id};
    }
    PersonUpdate update;
    update.name = to;
    update.has_external_id = true;
    update.external_id = external_id_of(to);
    persons_.update(source.id, update);
    return {source.id};
}

std::string SubjectService::delete_subject(const std::string& subject) {
    const auto person = get(subject);
    persons_.delete_person(person.id);
    return person.id;
}

std::vector<std::string> SubjectService::delete_all() {
    std::vector<std::string> ids;
    for (const auto& person : all_subjects()) {
        if (gallery_.delete_person(person.id)) ids.push_back(person.id);
    }
    return ids;
}

}  // namespace faceid
