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

std::vector<AnalyzedFace> SearchService::analyze_faces(FacePipeline& pipeline, const std::string& photo,
                                                       bool all_faces, bool attributes) {
    auto detected = detect_faces(pipeline, photo);
    const size_t count = all_faces ? std::min<size_t>(detected.boxes.size(), options_.max_faces) : 1;
    std::vector<AnalyzedFace> faces;
    faces.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        faces.push_back(pipeline.analyze(detected.image, detected.boxes[i], false));
        if (options_.require_live) pipeline.assess_liveness(detected.image, faces.back());
        if (attributes) pipeline.estimate_attributes(detected.image, faces.back());
    }
    return faces;
}

std::vector<AnalyzedFace> SearchService::embed_faces(const std::string& photo, bool all_faces,
                                                     bool attributes) {
    auto pipeline = pipelines_.acquire();
    auto faces = analyze_faces(*pipeline, photo, all_faces, attributes);
    std::vector<AnalyzedFace*> pointers;
    for (auto& f : faces) pointers.push_back(&f);
    pipeline->embed(pointers, pipeline->options().flip_average);  // one forward pass for all faces
    return faces;
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

std::vector<FaceSearchResult> SearchService::search(const SearchRequest& request) {
    const auto decision = decision_for(request);  // before the pipeline: a refused threshold costs nothing
    auto faces = embed_faces(request.photo, request.all_faces, request.attributes);
    std::vector<FaceSearchResult> results;
    std::vector<std::string> matched;
    for (auto& face : faces) {
        if (!passes_live_gate(face, request.all_faces)) {
            results.push_back(decide(face, {}, request.top_k, decision));
            continue;
        }
        results.push_back(decide(face,
                                 gallery_.search(face.embedding, request.top_k, decision.candidate_floor),
                                 request.top_k, decision));
        if (results.back().match) matched.push_back(results.back().match->person.id);
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
    // Photos [begin, end) on one pipeline: detection photo by photo, then a single embedder forward pass
    // for all their faces.
    auto run_share = [&](size_t begin, size_t end) {
        auto pipeline = pipelines_.acquire();
        std::vector<AnalyzedFace*> pointers;
        for (size_t i = begin; i < end; ++i) {
            try {
                pipeline->start_budget();  // the time budget is per photo, as for a single search
                faces[i] = analyze_faces(*pipeline, requests[i].photo, requests[i].all_faces,
                                         requests[i].attributes);
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
            ++next;
            if (entries[i].results.back().match)
                matched.push_back(entries[i].results.back().match->person.id);
        }
    }
    gallery_.note_matched(matched);
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
    const cv::Mat image = pipeline->decode(photo);
    detection.size = image.size();
    const auto boxes = pipeline->detect(image);  // largest first
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
