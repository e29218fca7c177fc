#include "services/search_service.h"

#include "core/error.h"
#include "services/photo_faces.h"

#include <algorithm>

namespace faceid {

SearchService::SearchService(PipelinePool& pipelines, Gallery& gallery, SearchOptions options)
    : pipelines_(pipelines), gallery_(gallery), options_(options) {}

std::vector<AnalyzedFace> SearchService::embed_faces(const std::string& photo, bool all_faces) {
    auto pipeline = pipelines_.acquire();
    auto detected = detect_faces(*pipeline, photo);
    const size_t count = all_faces ? std::min<size_t>(detected.boxes.size(), options_.max_faces) : 1;
    std::vector<AnalyzedFace> faces;
    faces.reserve(count);
    for (size_t i = 0; i < count; ++i) faces.push_back(pipeline->analyze(detected.image, detected.boxes[i], false));
    std::vector<AnalyzedFace*> pointers;
    for (auto& f : faces) pointers.push_back(&f);
    pipeline->embed(pointers, pipeline->options().flip_average);  // one forward pass for all faces
    return faces;
}

namespace {

FaceSearchResult make_result(const AnalyzedFace& face, std::vector<PersonMatch> candidates) {
    FaceSearchResult result;
    result.box = face.box;
    result.quality = face.quality;
    result.candidates = std::move(candidates);
    if (!result.candidates.empty()) result.match = result.candidates.front();
    return result;
}

}  // namespace

std::vector<FaceSearchResult> SearchService::search(const SearchRequest& request) {
    const auto faces = embed_faces(request.photo, request.all_faces);
    const double threshold = request.threshold.value_or(options_.calibration.threshold);
    std::vector<FaceSearchResult> results;
    for (const auto& face : faces)
        results.push_back(make_result(face, gallery_.search(face.embedding, request.top_k, threshold)));
    return results;
}

std::vector<SearchService::BatchEntry> SearchService::search_batch(const std::vector<SearchRequest>& requests) {
    std::vector<BatchEntry> entries(requests.size());
    std::vector<std::vector<AnalyzedFace>> faces(requests.size());
    std::vector<Embedding> queries;
    for (size_t i = 0; i < requests.size(); ++i) {
        try {
            faces[i] = embed_faces(requests[i].photo, requests[i].all_faces);
            for (const auto& f : faces[i]) queries.push_back(f.embedding);
        } catch (const Error& e) {
            entries[i].error = e;
        }
    }
    // One matrix product for every face of every photo; top_k and threshold are applied per photo below.
    int max_k = 1;
    for (const auto& r : requests) max_k = std::max(max_k, r.top_k);
    const auto matches = gallery_.search_batch(queries, max_k, -1.0);
    size_t next = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
        const double threshold = requests[i].threshold.value_or(options_.calibration.threshold);
        for (const auto& face : faces[i]) {
            std::vector<PersonMatch> kept;
            for (const auto& m : matches[next])
                if (m.similarity >= threshold && int(kept.size()) < requests[i].top_k) kept.push_back(m);
            ++next;
            entries[i].results.push_back(make_result(face, std::move(kept)));
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
        if (faces.empty()) throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", *request.person_id}});
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
    result.same = options_.calibration.is_match(result.similarity);
    return result;
}

SearchService::Detection SearchService::detect(const std::string& photo) {
    auto pipeline = pipelines_.acquire();
    Detection detection;
    const cv::Mat image = pipeline->decode(photo);
    detection.size = image.size();
    for (const auto& box : pipeline->detect(image)) detection.faces.push_back(pipeline->analyze(image, box, false));
    return detection;
}

}  // namespace faceid
