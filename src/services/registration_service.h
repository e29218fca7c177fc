#pragma once
// Registering a person by photo, or adding a template to a known person. The photo must pass the quality
// gates; a person keeps at most max_templates templates (the worst is dropped, never the primary) and the
// best-quality template's photo is the person's primary photo.
#include "core/error.h"
#include "repositories/gallery_corrections.h"
#include "services/calibration/match_decision.h"
#include "services/duplicate_finder.h"
#include "services/gallery.h"
#include "services/person_locks.h"
#include "services/uploaded_photo.h"
#include "vision/pipeline_pool.h"

#include <nlohmann/json.hpp>

#include <array>
#include <mutex>
#include <optional>
#include <string>

namespace faceid {

struct RegistrationOptions {
    int max_templates = 10;
    // A new person whose face matches an existing person at or above this cosine is refused as a
    // possible duplicate (unless the request allows it); see kDefaultDuplicateThreshold.
    double duplicate_threshold = kDefaultDuplicateThreshold;
    // For the percentage in the duplicate message (the same scale as search).
    MatchPolicy policy;
    // The liveness score is always measured and reported; with require_live a face whose live probability
    // is below live_threshold is refused with Error(kNotLive).
    bool require_live = false;
    double live_threshold = LivenessDetector::kDefaultLiveThreshold;
    // Where pinned primaries are kept: a better photo does not replace a pinned primary. Null: no pins,
    // the primary is always chosen automatically.
    GalleryCorrections* corrections = nullptr;
};

struct RegistrationRequest {
    std::string photo;  // encoded image bytes
    std::optional<std::string> name;
    std::optional<std::string> external_id;
    std::optional<nlohmann::json> metadata;
    std::optional<std::string> person_id;  // add a template to this person
    std::optional<int> face_index;         // which face (largest first) when the photo has several
    bool allow_duplicate = false;          // register a new person even if the face matches another
    // Add the photo to the person it names even though the face does not match them (an admin's override;
    // the API allows it to admin keys only and audits it).
    bool allow_mismatch = false;
    // Idempotent import: if these exact photo bytes are already stored for the target person (the one
    // person_id or external_id names, or for a new person one of the same name), store nothing and
    // answer with that face (RegistrationResult::skipped).
    bool skip_known_photo = false;
    // Faces the detector scored below this are not seen (CompreFace's det_prob_threshold on an added
    // example); a photo with none left has no face.
    std::optional<double> min_detection_score;
};

struct RegistrationResult {
    PersonRecord person;
    FaceRecord face;
    Quality quality;
    FaceBox box;
    bool created = false;  // a new person, rather than a template added to a known one
    bool primary = false;  // this photo is now the person's primary photo
    bool skipped = false;  // skip_known_photo found the photo already stored: nothing was written
    int faces_seen = 0;
    int face_index = 0;
    int rotation = 0;  // degrees the photo was turned to find the face (PhotoFaces::rotation)
    std::vector<std::string> dropped_face_ids;
};

class RegistrationService {
  public:
    RegistrationService(PipelinePool& pipelines, Gallery& gallery, RegistrationOptions options);

    // Throws Error: kNoFace, kOrientationUnclear (a photo on its side whose upright reading is
    // unsure), kQualityGateFailed (details.reasons), kFaceIndexOutOfRange, kNotFound (unknown
    // person_id), kMissingField (no name for a new person), kConflict, and the decoder's errors.
    RegistrationResult register_face(const RegistrationRequest& request);

    // Several registrations at once, spread over up to `parallelism` threads (each uses one pipeline);
    // one entry per request, in order: its result or the Error it raised.
    struct BatchEntry {
        std::optional<RegistrationResult> result;
        std::optional<Error> error;
    };
    std::vector<BatchEntry> register_batch(const std::vector<RegistrationRequest>& requests, int parallelism);

    // POST /register/batch: items that were refused while reading (Error set) stay in place as failures;
    // the others are registered as register_batch does. Counts the outcomes and collects what the audit
    // log records: the ids written or dropped, and each face added with allow_mismatch to a known person.
    struct BatchItem {
        RegistrationRequest request;
        std::optional<Error> refused;
    };
    struct BatchOutcome {
        std::vector<BatchEntry> entries;  // one per item, in order
        int created = 0, added = 0, skipped = 0, failed = 0;
        std::vector<std::string> changed_ids;
        std::vector<std::pair<std::string, std::string>> forced_mismatches;  // (person id, face id)
    };
    BatchOutcome register_items(std::vector<BatchItem> items, int parallelism);

    // The per-person locks template changes take; corrections (merge, move) share them.
    PersonLocks& person_locks() { return person_locks_; }

  private:
    struct ChosenFace {
        AnalyzedFace face;
        int index = 0;
        int faces_seen = 0;
        int rotation = 0;
        cv::Mat image;
        std::string format;
    };
    // With `person` (a photo added to a known person) and several faces in the photo, the face that
    // passes the gates and matches the person best is taken, not merely the largest.
    ChosenFace choose_face(const RegistrationRequest& request, const std::optional<PersonRecord>& person);
    // The blobs one registration stored: cleaned up if a later step fails, checked after the commit.
    struct NewBlobs {
        std::vector<std::string> keys;  // in the order they were put
        std::string crop;               // the crop's bytes (the photo's are the request's)
    };
    FaceRecord store_face(const ChosenFace& chosen, const std::string& photo, const std::string& person_id,
                          NewBlobs& blobs);
    // Adds the stored face to the person; the files of templates dropped to stay within the limit are
    // appended to `dropped` for the caller to reclaim after releasing the blob guard.
    RegistrationResult add_to_person(const PersonRecord& person, const FaceRecord& face,
                                     std::vector<FaceRecord>& dropped);
    RegistrationResult commit(const RegistrationRequest& request, const ChosenFace& chosen,
                              const std::optional<PersonRecord>& existing, std::vector<FaceRecord>& dropped,
                              NewBlobs& blobs);
    std::optional<RegistrationResult> already_stored(const RegistrationRequest& request,
                                                     const std::optional<PersonRecord>& target);
    // Throws Error(kPossibleDuplicate) when the face matches a person other than the one the request
    // names by external_id; returns that person when it is the one named (a concurrent registration of the
    // same external_id created it meanwhile).
    std::optional<PersonRecord> check_duplicate(const RegistrationRequest& request,
                                                const Embedding& embedding);
    // Throws Error(kFaceMismatch) when the face does not match any template of the person it is added to
    // (below MatchPolicy::kVerifyThreshold, the 1:1 decision).
    void check_same_person(const PersonRecord& person, const Embedding& embedding) const;
    // For a photo on its side whose upright reading is unsure: keeps the reading whose largest face is
    // nearer to the person's templates (swapping it in from photo.opposite when that one is). False when
    // the person has no template to ask.
    bool take_reading_nearer_to(FacePipeline& pipeline, PhotoFaces& photo, const PersonRecord& person);

    PipelinePool& pipelines_;
    Gallery& gallery_;
    RegistrationOptions options_;
    // Template changes of one person are serialised (read faces, decide, write), with corrections too.
    PersonLocks person_locks_;
};

}  // namespace faceid
