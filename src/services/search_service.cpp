#include "services/search_service.h"

#include "core/error.h"
#include "services/uploaded_photo.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

namespace faceid {

SearchService::SearchService(PipelinePool& pipelines, Gallery& gallery, SearchOptions options)
    : pipelines_(pipelines), gallery_(gallery), options_(options) {}

std::vector<AnalyzedFace> SearchService::analyze_reading(FacePipeline& pipeline, const cv::Mat& image,
                                                         const std::vector<FaceBox>& boxes, bool all_faces,
                                                         bool attributes) {
    const size_t count = all_faces ? std::min<size_t>(boxes.size(), options_.max_faces) : 1;
    std::vector<AnalyzedFace> faces;
    faces.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        faces.push_back(pipeline.analyze(image, boxes[i], false));
        if (options_.require_live) pipeline.assess_liveness(image, faces.back());
        if (attributes) pipeline.estimate_attributes(image, faces.back());
    }
    return faces;
}

std::vector<AnalyzedFace> SearchService::analyze_faces(FacePipeline& pipeline, const std::string& photo,
                                                       bool all_faces, bool attributes, int* rotation,
                                                       bool* rotation_unsure) {
    auto detected = detect_faces(pipeline, photo);
    if (rotation) *rotation = detected.rotation;
    if (rotation_unsure) *rotation_unsure = detected.rotation != 0 && !detected.rotation_sure;
    return analyze_reading(pipeline, detected.image, detected.boxes, all_faces, attributes);
}

namespace {
void embed_all(FacePipeline& pipeline, std::vector<AnalyzedFace>& faces) {
    std::vector<AnalyzedFace*> pointers;
    for (auto& f : faces) pointers.push_back(&f);
    pipeline.embed(pointers, pipeline.options().flip_average);  // one forward pass for all faces
}

// The best candidate's similarity over every face of one reading (-2 when nobody is near).
double best_similarity(const std::vector<FaceSearchResult>& results) {
    double best = -2;
    for (const auto& r : results)
        if (!r.candidates.empty()) best = std::max(best, r.candidates.front().similarity);
    return best;
}
}  // namespace

SearchService::Readings SearchService::embed_readings(const std::string& photo, bool all_faces,
                                                      bool attributes) {
    auto pipeline = pipelines_.acquire();
    auto detected = detect_faces(*pipeline, photo);
    Readings readings;
    readings.rotation = detected.rotation;
    readings.faces = analyze_reading(*pipeline, detected.image, detected.boxes, all_faces, attributes);
    embed_all(*pipeline, readings.faces);
    if (detected.rotation != 0 && !detected.rotation_sure && !detected.opposite.boxes.empty()) {
        readings.opposite_rotation = detected.opposite.rotation;
        readings.opposite = analyze_reading(*pipeline, detected.opposite.image, detected.opposite.boxes,
                                            all_faces, attributes);
        embed_all(*pipeline, readings.opposite);
    }
    return readings;
}

std::vector<AnalyzedFace> SearchService::embed_faces(const std::string& photo, bool all_faces,
                                                     bool attributes) {
    return embed_readings(photo, all_faces, attributes).faces;
}

bool SearchService::passes_live_gate(AnalyzedFace& face, bool all_faces) const {
    if (!options_.require_live || !face.quality.liveness || *face.quality.liveness >= options_.live_threshold)
        return true;
    if (!all_faces)
        throw Error(ErrorCode::kNotLive, "",
                    {{"liveness", std::round(*face.quality.liveness * 1000) / 1000},
                     {"threshold", options_.live_threshold}});
    face.quality.reasons.push_back(QualityReason::kNotLive);
    return false;
}

MatchDecision SearchService::decision_for(const SearchRequest& request) const {
    return options_.policy.decide(gallery_.size(), request.threshold, request.may_go_below_floor);
}

FaceSearchResult SearchService::decide(const AnalyzedFace& face, std::vector<PersonMatch> nearest, int top_k,
                                       const MatchDecision& decision) const {
    FaceSearchResult result;
    result.box = face.box;
    result.quality = face.quality;
    result.decision = decision;
    result.points = face.points;
    result.embedding = face.embedding;
    result.attributes = face.attributes;
    for (auto& candidate : nearest) {
        if (candidate.similarity < decision.candidate_floor || int(result.candidates.size()) == top_k) break;
        candidate.below_threshold = candidate.similarity < decision.threshold;
        candidate.probability = options_.policy.probability(candidate.similarity, decision.templates);
        result.candidates.push_back(std::move(candidate));
    }
    if (!result.candidates.empty() && !result.candidates.front().below_threshold)
        result.match = result.candidates.front();
    return result;
}

FaceSearchResult SearchService::identify(const AnalyzedFace& face, const SearchRequest& request) const {
    const auto decision = decision_for(request);
    return decide(face, gallery_.search(face.embedding, request.top_k, decision.candidate_floor),
                  request.top_k, decision);
}

std::vector<FaceSearchResult> SearchService::identify_all(std::vector<AnalyzedFace>& faces,
                                                          const SearchRequest& request,
                                                          const MatchDecision& decision) const {
    std::vector<FaceSearchResult> results;
    for (auto& face : faces) {
        if (!passes_live_gate(face, request.all_faces)) {
            results.push_back(decide(face, {}, request.top_k, decision));
            continue;
        }
        results.push_back(decide(face,
                                 gallery_.search(face.embedding, request.top_k, decision.candidate_floor),
                                 request.top_k, decision));
    }
    return results;
}

std::vector<FaceSearchResult> SearchService::search(const SearchRequest& request) {
    const auto decision = decision_for(request);  // before the pipeline: a refused threshold costs nothing
    auto readings = embed_readings(request.photo, request.all_faces, request.attributes);
    auto results = identify_all(readings.faces, request, decision);
    int rotation = readings.rotation;
    // A photo on its side whose upright reading is unsure (vision/upright_turn.h): both readings are
    // searched and the one whose best candidate is nearer is kept. An upside-down face embeds as noise, so
    // a known person's upright reading is the nearer one; for an unknown person both readings are far and
    // the open-set decision still answers "unknown" (a match needs the threshold either way).
    if (!readings.opposite.empty()) {
        auto other = identify_all(readings.opposite, request, decision);
        if (best_similarity(other) > best_similarity(results)) {
            results = std::move(other);
            rotation = readings.opposite_rotation;
        }
    }
    if (request.min_detection_score)
        std::erase_if(results,
                      [&](const FaceSearchResult& r) { return r.box.score < *request.min_detection_score; });
    if (request.max_faces > 0 && int(results.size()) > request.max_faces)
        results.resize(size_t(request.max_faces));
    std::vector<std::string> matched;
    for (auto& r : results) {
        r.rotation = rotation;
        if (r.match) matched.push_back(r.match->person.id);
    }
    gallery_.note_matched(matched);
    return results;
}

std::vector<SearchService::BatchEntry> SearchService::search_batch(const std::vector<SearchRequest>& requests,
                                                                   int parallelism) {
    std::vector<BatchEntry> entries(requests.size());
    std::vector<MatchDecision> decisions;
    for (const auto& request : requests) decisions.push_back(decision_for(request));
    std::vector<std::vector<AnalyzedFace>> faces(requests.size());
    std::vector<int> rotations(requests.size(), 0);
    std::vector<char> unsure(requests.size(), 0);  // turned, which way up unsure: searched alone below
    // Photos [begin, end) on one pipeline: detection photo by photo, then a single embedder forward pass
    // for all their faces.
    auto run_share = [&](size_t begin, size_t end) {
        auto pipeline = pipelines_.acquire();
        std::vector<AnalyzedFace*> pointers;
        for (size_t i = begin; i < end; ++i) {
            try {
                pipeline->start_budget();  // the time budget is per photo, as for a single search
                bool turned_unsure = false;
                faces[i] = analyze_faces(*pipeline, requests[i].photo, requests[i].all_faces,
                                         requests[i].attributes, &rotations[i], &turned_unsure);
                unsure[i] = turned_unsure;
            } catch (const Error& e) {
                entries[i].error = e;
            }
            for (auto& f : faces[i]) pointers.push_back(&f);
        }
        // One forward pass for the faces of every photo that finished in time: it gets a budget of its own
        // (the last photo's may be spent), and is one forward beyond it at most.
        pipeline->start_budget();
        if (!pointers.empty()) pipeline->embed(pointers, pipeline->options().flip_average);
    };
    const size_t shares =
        std::clamp<size_t>(size_t(std::max(1, parallelism)), 1, std::max<size_t>(requests.size(), 1));
    std::vector<std::thread> helpers;
    std::exception_ptr failure;
    std::mutex failure_mutex;
    for (size_t t = 1; t < shares; ++t)
        helpers.emplace_back([&, t] {
            try {
                run_share(requests.size() * t / shares, requests.size() * (t + 1) / shares);
            } catch (...) {  // not a photo's own error (those are caught per photo): rethrown below
                std::lock_guard lock(failure_mutex);
                failure = std::current_exception();
            }
        });
    try {
        run_share(0, requests.size() / shares);
    } catch (...) {
        std::lock_guard lock(failure_mutex);
        failure = std::current_exception();
    }
    for (auto& h : helpers) h.join();
    if (failure) std::rethrow_exception(failure);

    std::vector<Embedding> queries;
    for (size_t i = 0; i < requests.size(); ++i) {
        try {
            for (auto& f : faces[i]) passes_live_gate(f, requests[i].all_faces);
            for (auto& f : faces[i]) queries.push_back(f.embedding);
        } catch (const Error& e) {
            entries[i].error = e;
            faces[i].clear();  // the gate refused this photo's only face
        }
    }
    // One matrix product for every face of every photo; top_k and threshold are applied per photo below.
    int max_k = 1;
    for (const auto& r : requests) max_k = std::max(max_k, r.top_k);
    const auto matches = gallery_.search_batch(queries, max_k, -1.0);
    size_t next = 0;
    std::vector<std::string> matched;
    for (size_t i = 0; i < requests.size(); ++i) {
        for (const auto& face : faces[i]) {
            const bool live = std::find(face.quality.reasons.begin(), face.quality.reasons.end(),
                                        QualityReason::kNotLive) == face.quality.reasons.end();
            entries[i].results.push_back(decide(face, live ? matches[next] : std::vector<PersonMatch>{},
                                                requests[i].top_k, decisions[i]));
            entries[i].results.back().rotation = rotations[i];
            ++next;
            if (entries[i].results.back().match && !unsure[i])
                matched.push_back(entries[i].results.back().match->person.id);
        }
    }
    gallery_.note_matched(matched);
    // A photo on its side whose upright reading is unsure is searched as search() does, both readings
    // against the gallery (rare: about 5% of turned photos, and turned photos are rare themselves).
    for (size_t i = 0; i < requests.size(); ++i) {
        if (!unsure[i] || entries[i].error) continue;
        try {
            entries[i].results = search(requests[i]);
        } catch (const Error& e) {
            entries[i].results.clear();
            entries[i].error = e;
        }
    }
    return entries;
}

VerifyResult SearchService::verify(const VerifyRequest& request) {
    VerifyResult result;
    const auto a = embed_faces(request.photo_a, false).front();
    if (request.photo_b) {
        const auto b = embed_faces(*request.photo_b, false).front();
        result.similarity = cosine_similarity(a.embedding, b.embedding);
    } else if (request.person_id) {
        const auto faces = gallery_.persons().faces_of(*request.person_id);
        if (faces.empty())
            throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", *request.person_id}});
        result.similarity = -1;
        for (const auto& f : faces) {
            const double s = cosine_similarity(a.embedding, f.embedding);
            if (s > result.similarity) {
                result.similarity = s;
                result.face_id = f.id;
            }
        }
    } else {
        throw Error(ErrorCode::kMissingField, "Send photo_b or person_id.", {{"field", "photo_b"}});
    }
    result.same = result.similarity >= MatchPolicy::kVerifyThreshold;
    result.probability = options_.policy.probability(result.similarity, 1);
    return result;
}

std::vector<AnalyzedFace> SearchService::faces(const FaceRequest& request) {
    if (request.embed) return embed_faces(request.photo, request.all_faces, request.attributes);
    auto pipeline = pipelines_.acquire();
    return analyze_faces(*pipeline, request.photo, request.all_faces, request.attributes);
}

std::vector<FaceComparison> SearchService::compare(FaceRequest request, const Embedding& reference) {
    request.embed = true;
    std::vector<FaceComparison> out;
    for (auto& face : faces(request)) {
        FaceComparison& c = out.emplace_back();
        c.similarity = cosine_similarity(face.embedding, reference);
        c.probability = options_.policy.probability(c.similarity, 1);
        c.face = std::move(face);
    }
    return out;
}

SearchService::Detection SearchService::detect(const std::string& photo) {
    auto pipeline = pipelines_.acquire();
    Detection detection;
    cv::Mat image = pipeline->decode(photo);
    auto boxes = pipeline->detect(image);                          // largest first
    if (auto turn = find_upright_turn(*pipeline, image, boxes)) {  // a photo on its side without EXIF
        image = std::move(turn->chosen.image);
        boxes = std::move(turn->chosen.boxes);
        detection.rotation = turn->chosen.rotation;
    }
    detection.size = image.size();
    detection.faces_detected = int(boxes.size());
    const size_t analysed = std::min<size_t>(boxes.size(), kMaxDetectFaces);
    for (size_t i = 0; i < analysed; ++i) {
        auto& face = detection.faces.emplace_back(pipeline->analyze(image, boxes[i], false));
        pipeline->assess_liveness(image, face);
        pipeline->estimate_attributes(image, face);
    }
    return detection;
}

}  // namespace faceid
