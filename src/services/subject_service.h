#pragma once
// CompreFace subjects (issue 16): a subject is one of our persons, created and managed through the
// CompreFace-compatible routes and named by the subject. It is marked by its external_id, the subject's name
// behind kSubjectPrefix, which keeps subject names unique (external ids are) and finds a subject in one
// lookup. Its name is the subject too. Persons registered through our own routes are not subjects. A subject
// exists while it has at least one example (face): CompreFace's empty subjects have no place in our store,
// which keeps no person without a face.
// The rules are the existing services': registration (gates, templates, the match check when an example is
// added to a known subject), corrections (a rename onto an existing subject merges), person deletion.
#include "core/records.h"
#include "services/correction_service.h"
#include "services/gallery.h"
#include "services/person_service.h"
#include "services/registration_service.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

inline constexpr std::string_view kSubjectPrefix = "compreface:";
inline constexpr size_t kSubjectMaxLength = 100;

// The subject a person stands for (nullopt for a person that is not a subject).
std::optional<std::string> subject_of(const PersonRecord& person);

struct SubjectExample {
    std::string image_id;  // our face id
    std::string subject;
};

struct SubjectExamplePage {
    std::vector<SubjectExample> examples;
    int64_t total = 0;  // examples in all pages
};

class SubjectService {
  public:
    SubjectService(Gallery& gallery, PersonService& persons, RegistrationService& registration,
                   CorrectionService& corrections);

    // Error(kInvalidField, details.field = "subject") for an empty name, one with control characters or
    // longer than kSubjectMaxLength.
    static void check_name(const std::string& subject);

    // Every subject, in creation order.
    std::vector<std::string> list();
    std::optional<PersonRecord> find(const std::string& subject);
    // Error(kNotFound, details.subject) when there is no such subject.
    PersonRecord get(const std::string& subject);

    // Adds a photo as an example of the subject (the subject is created with its first example). The
    // registration's rules apply: gates, templates, and a photo added to an existing subject must match it
    // (Error(kFaceMismatch)).
    RegistrationResult add_example(const std::string& subject, std::string photo,
                                   std::optional<double> min_detection_score = std::nullopt);
    // Examples of one subject (none for an unknown one) or of every subject, `size` per page from page
    // `page` (0-based).
    SubjectExamplePage examples(const std::optional<std::string>& subject, int page, int size);
    // The example (Error(kNotFound, details.image_id) for a face that is not a subject's).
    SubjectExample example(const std::string& image_id);
    FaceRecord example_face(const std::string& image_id);
    // Deletes one example; the subject goes with its last one.
    SubjectExample delete_example(const std::string& image_id);
    // Deletes the subject's examples, or every subject's when `subject` is empty; the examples deleted.
    std::vector<std::string> delete_examples(const std::optional<std::string>& subject);

    // Renames `from` to `to`; onto an existing subject it merges `from` into `to` (CorrectionService).
    // Returns the changed person ids (for the audit log).
    std::vector<std::string> rename(const std::string& from, const std::string& to);
    // Deletes the subject and its examples; returns the person id.
    std::string delete_subject(const std::string& subject);
    // Deletes every subject; returns the person ids.
    std::vector<std::string> delete_all();

  private:
    std::vector<PersonRecord> all_subjects();

    Gallery& gallery_;
    PersonService& persons_;
    RegistrationService& registration_;
    CorrectionService& corrections_;
};

}  // namespace faceid
