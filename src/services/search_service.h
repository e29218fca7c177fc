#pragma once
// Finding people by photo (every face or the largest), verifying two faces, and detection alone.
#include "core/error.h"
#include "services/calibration/match_decision.h"
#include "services/gallery.h"
#include "vision/pipeline_pool.h"

#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct SearchRequest {
    std::string photo;
    int top_k = 5;                    // 1..100
    std::optional<double> threshold;  // cosine; default: the policy's decision for the gallery's size
    bool all_faces = false;           // every face (up to max_faces) instead of the largest only
    bool may_go_below_floor = false;  // the caller may ask for a threshold below the floor (admin)
    bool attributes = false;          // estimate age and gender of each face (FaceSearchResult::attributes)
    // Faces the caller does not want answered (CompreFace's det_prob_threshold and limit): left out before
    // a match is recorded, so that retention's "last matched" counts only faces someone was told about.
    std::optional<double> min_detection_score;
    int max_faces = 0;  // the largest ones; 0: every face
};

struct FaceSearchResult {
    FaceBox box;
    Quality quality;
    MatchDecision decision;            // how `match` was decided
    std::optional<PersonMatch> match;  // the best candidate, when it reaches decision.threshold
    // The nearest persons, best first, at most top_k, down to decision.candidate_floor; those under the
    // threshold are flagged below_threshold.
    std::vector<PersonMatch> candidates;
    Landmarks5 points;                         // the face's five landmarks, in photo pixels
    Embedding embedding;                       // the probe's embedding (what the search compared)
    std::optional<FaceAttributes> attributes;  // when the request asked for them
    int rotation = 0;  // degrees the photo was turned to find its faces (box is in the turned photo)
};

// The faces of one photo without a search (detection, and comparisons with one reference face).
struct FaceRequest {
    std::string photo;
    bool all_faces = false;   // every face (up to max_faces, largest first) instead of the largest only
    bool embed = true;        // compute each face's embedding
    bool attributes = false;  // estimate age and gender
};

// One face of a photo compared with a reference embedding, as a 1:1 decision (POST /verify's scale).
struct FaceComparison {
    AnalyzedFace face;
    double similarity = 0;   // cosine
    double probability = 0;  // that the two faces are the same person (0..1), a gallery of one
};

struct SearchOptions {
    int max_faces = 20;  // faces searched per photo with all_faces
    MatchPolicy policy;
    // Liveness gate: faces below live_threshold are not searched (one face: Error(kNotLive); all faces:
    // that face gets the reason NOT_LIVE and no candidates).
    bool require_live = false;
    double live_threshold = LivenessDetector::kDefaultLiveThreshold;
};

struct VerifyRequest {
    std::string photo_a;
    std::optional<std::string> photo_b;
    std::optional<std::string> person_id;  // compare photo_a with this person's templates instead
};

struct VerifyResult {
    double similarity = 0;
    bool same = false;                   // similarity >= MatchPolicy::kVerifyThreshold
    double probability = 0;              // that the two faces are the same person (0..1)
    std::optional<std::string> face_id;  // the person's best-matching template
};

class SearchService {
  public:
    SearchService(PipelinePool& pipelines, Gallery& gallery, SearchOptions options);

    // Throws Error(kNoFace) and the decoder's errors.
    std::vector<FaceSearchResult> search(const SearchRequest& request);
    // One embedded face against the gallery, decided as search() decides (also the open-set benchmark's
    // path). Throws Error(kThresholdBelowFloor) for a threshold the caller may not ask for.
    FaceSearchResult identify(const AnalyzedFace& face, const SearchRequest& request) const;
    // The decision a request gets at the gallery's current size.
    MatchDecision decision_for(const SearchRequest& request) const;
    // Several photos. The photos are split into `parallelism` contiguous shares, each run by one pipeline:
    // detection per photo, then one embedder forward pass for every face of the share (batched
    // inference); then one batched index search (one matrix product) for every face of every photo. Each
    // entry is either a result list or the Error that photo raised.
    struct BatchEntry {
        std::vector<FaceSearchResult> results;
        std::optional<Error> error;
    };
    std::vector<BatchEntry> search_batch(const std::vector<SearchRequest>& requests, int parallelism = 1);

    VerifyResult verify(const VerifyRequest& request);
    // The analysed faces of a photo, largest first. Throws Error(kNoFace) and the decoder's errors.
    std::vector<AnalyzedFace> faces(const FaceRequest& request);
    // Every face of request (embedded) against `reference`, largest first.
    std::vector<FaceComparison> compare(FaceRequest request, const Embedding& reference);
    // Faces with quality figures, gate results, liveness and attributes; no embedding and no search.
    // At most kMaxDetectFaces faces are analysed (the largest): each costs ~80 ms of model time, and a
    // photo tiled with 539 faces held a pipeline for 42 s.
    static constexpr int kMaxDetectFaces = 50;
    struct Detection {
        cv::Size size;
        std::vector<AnalyzedFace> faces;
        int faces_detected = 0;  // before the cap; faces.size() < faces_detected when truncated
        int rotation = 0;        // degrees the photo was turned to find its faces (size and boxes are of it)
    };
    Detection detect(const std::string& photo);

    const MatchPolicy& policy() const { return options_.policy; }
    const SearchOptions& options() const { return options_; }

  private:
    // The embedded faces of one photo: the largest only, or all up to max_faces.
    std::vector<AnalyzedFace> embed_faces(const std::string& photo, bool all_faces, bool attributes = false);
    // The same, and for a photo turned with an unsure choice of which way is up, the other reading's faces
    // too (opposite; empty otherwise).
    struct Readings {
        std::vector<AnalyzedFace> faces, opposite;
        int rotation = 0, opposite_rotation = 0;
    };
    Readings embed_readings(const std::string& photo, bool all_faces, bool attributes = false);
    // Decoded, detected and analysed (liveness included when required, age and gender when asked), not
    // embedded yet. rotation (optional): set to the degrees the photo was turned to find its faces;
    // rotation_unsure: whether it was turned with an unsure choice of which way is up (a batch then searches
    // it as search() does).
    std::vector<AnalyzedFace> analyze_faces(FacePipeline& pipeline, const std::string& photo, bool all_faces,
                                            bool attributes = false, int* rotation = nullptr,
                                            bool* rotation_unsure = nullptr);
    // Analysed faces of one reading of a photo, not embedded yet.
    std::vector<AnalyzedFace> analyze_reading(FacePipeline& pipeline, const cv::Mat& image,
                                              const std::vector<FaceBox>& boxes, bool all_faces,
                                              bool attributes = false);
    // Every face of one reading against the gallery.
    std::vector<FaceSearchResult> identify_all(std::vector<AnalyzedFace>& faces, const SearchRequest& request,
                                               const MatchDecision& decision) const;
    // With require_live: false (and NOT_LIVE among the reasons) for a face that fails the gate.
    bool passes_live_gate(AnalyzedFace& face, bool all_faces) const;
    // Applies the decision to the nearest persons of one face.
    FaceSearchResult decide(const AnalyzedFace& face, std::vector<PersonMatch> nearest, int top_k,
                            const MatchDecision& decision) const;

    PipelinePool& pipelines_;
    Gallery& gallery_;
    SearchOptions options_;
};

}  // namespace faceid
