// The CompreFace 1.x REST API (issue 16) over our services, for the clients written for CompreFace (Double
// Take, its SDKs, Node-RED and Home Assistant integrations): its recognition service (subjects, examples,
// recognize, verify against an example), detection service and verification service, under /api/v1/. A
// subject is a person managed through these routes (SubjectService); recognition is our search with the
// open-set decision, and a subject's "similarity" is the probability that it is the right person. Requests
// are read by compreface_request, answers and errors written by compreface_json; the rules are the services'.
#include "api/access_policy.h"
#include "api/compreface_json.h"
#include "api/compreface_request.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/json_limits.h"
#include "services/subject_service.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace faceid {
namespace {

constexpr size_t kMaxDeleteIds = 1000;  // POST /api/v1/recognition/faces/delete

const RouteFlavor kCompreFace{
    .render_error = render_compreface_error, .accepts_chunked_body = true, .lenient_query = true};

// The faces CompreFace would answer with: those at or above det_prob_threshold, at most `limit` (biggest
// first, as our pipeline orders them); none left is CompreFace's "no face" (code 28).
template <typename T, typename BoxOf>
void keep_faces(std::vector<T>& faces, const CompreFaceFaceOptions& options, BoxOf box_of) {
    if (options.det_prob_threshold)
        std::erase_if(faces, [&](const T& f) { return box_of(f).score < *options.det_prob_threshold; });
    if (options.limit > 0 && int(faces.size()) > options.limit) faces.resize(size_t(options.limit));
    if (faces.empty()) throw Error(ErrorCode::kNoFace);
}

nlohmann::json execution_time(double started) {
    return {{"total", std::round((monotonic_seconds() - started) * 1000)}};
}

std::string required_subject_param(const HttpRequest& req) {
    auto subject = compreface_query_text(req, "subject", 1000);
    if (!subject || subject->empty())
        throw Error(ErrorCode::kMissingField, "subject is required.", {{"field", "subject"}});
    return *subject;
}

std::optional<std::string> subject_param(const HttpRequest& req) {
    auto subject = compreface_query_text(req, "subject", 1000);
    if (subject && subject->empty()) subject.reset();
    return subject;
}

// ---- subjects ----

void list_subjects(RouteCall& call, const HttpRequest&, HttpResponse& res) {
    send_json(res, 200, {{"subjects", call.services.subjects.list()}});
}

void add_subject(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string subject = compreface_body_subject(req);
    SubjectService::check_name(subject);
    // A subject is a person, and a person has at least one face: the name is checked here, and the subject
    // is stored with its first example (POST /api/v1/recognition/faces).
    call.audit_ids(nlohmann::json::array({subject}), nlohmann::json::array());
    if (call.services.subjects.find(subject))
        throw Error(ErrorCode::kConflict, "Subject already exists", {{"field", "subject"}});
    send_json(res, 201, {{"subject", subject}});
}

void rename_subject(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string from = compreface_path_text(req, 0);
    const std::string to = compreface_body_subject(req);
    call.audit_ids(nlohmann::json::array({from}), nlohmann::json::array());
    const auto changed = call.services.subjects.rename(from, to);
    call.audit_ids(nlohmann::json::array({from}), changed);
    send_json(res, 200, {{"updated", true}});
}

void delete_subject(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string subject = compreface_path_text(req, 0);
    call.audit_ids(nlohmann::json::array({subject}), nlohmann::json::array());
    const std::string id = call.services.subjects.delete_subject(subject);
    call.audit_ids(nlohmann::json::array({subject}), nlohmann::json::array({id}));
    send_json(res, 200, {{"subject", subject}});
}

void delete_all_subjects(RouteCall& call, const HttpRequest&, HttpResponse& res) {
    const auto ids = call.services.subjects.delete_all();
    call.audit_ids(nlohmann::json::array(), ids);
    send_json(res, 200, {{"deleted", ids.size()}});
}

// ---- examples ----

void add_example(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string subject = required_subject_param(req);
    // det_prob_threshold leaves out faces the detector is less sure of, as on recognize; the quality gates
    // still decide whether a face is good enough to keep.
    const auto options = read_compreface_options(req, false);
    std::string photo = compreface_image(req, "file");
    call.audit_ids(nlohmann::json::array({subject}), nlohmann::json::array());
    const auto result =
        call.services.subjects.add_example(subject, std::move(photo), options.det_prob_threshold);
    auto changed = nlohmann::json::array({result.person.id, result.face.id});
    for (const auto& dropped : result.dropped_face_ids) changed.push_back(dropped);
    call.audit_ids(nlohmann::json::array({subject}), changed);
    send_json(res, 201, {{"image_id", result.face.id}, {"subject", subject}});
}

void list_examples(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const int page = compreface_query_int(req, "page", 0, 1000000, 0);
    const int size = compreface_query_int(req, "size", 1, 1000, 20);
    const auto found = call.services.subjects.examples(subject_param(req), page, size);
    auto faces = nlohmann::json::array();
    for (const auto& e : found.examples) faces.push_back({{"image_id", e.image_id}, {"subject", e.subject}});
    send_json(res, 200,
              {{"faces", faces},
               {"page_number", page},
               {"page_size", size},
               {"total_pages", (found.total + size - 1) / size},
               {"total_elements", found.total}});
}

void delete_examples(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const auto subject = subject_param(req);
    const auto named = subject ? nlohmann::json::array({*subject}) : nlohmann::json::array();
    call.audit_ids(named, nlohmann::json::array());
    const auto deleted = call.services.subjects.delete_examples(subject);
    call.audit_ids(named, deleted);
    send_json(res, 200, {{"deleted", deleted.size()}});
}

void delete_example(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string& image_id = req.path_param(0);
    call.audit_ids(nlohmann::json::array({image_id}), nlohmann::json::array());
    const auto removed = call.services.subjects.delete_example(image_id);
    call.audit_ids(nlohmann::json::array({image_id}), nlohmann::json::array({image_id}));
    send_json(res, 200, {{"image_id", removed.image_id}, {"subject", removed.subject}});
}

void delete_example_list(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    // A JSON array of image ids; unknown ids are left out of the answer, as CompreFace does.
    auto parsed = parse_json_limited(req.body);
    throw_if_refused_shape(parsed, "image_ids");
    if (parsed.status != JsonParseStatus::kOk || !parsed.value.is_array())
        throw Error(ErrorCode::kInvalidField, "Send a JSON array of image ids.", {{"field", "image_ids"}});
    if (parsed.value.size() > kMaxDeleteIds)
        throw Error(ErrorCode::kInvalidField, "At most " + std::to_string(kMaxDeleteIds) + " image ids.",
                    {{"field", "image_ids"}, {"max", kMaxDeleteIds}});
    call.charge(int(parsed.value.size()));  // one token per id, as a batch takes one per photo
    auto named = nlohmann::json::array();
    auto deleted = nlohmann::json::array();
    auto out = nlohmann::json::array();
    for (const auto& id : parsed.value) {
        if (!id.is_string()) continue;
        const std::string image_id = id.get<std::string>().substr(0, 64);
        named.push_back(image_id);
        try {
            const auto removed = call.services.subjects.delete_example(image_id);
            deleted.push_back(image_id);
            out.push_back({{"image_id", removed.image_id}, {"subject", removed.subject}});
        } catch (const Error& e) {
            if (e.code() != ErrorCode::kNotFound) throw;
        }
    }
    call.audit_ids(named, deleted);
    send_json(res, 200, out);
}

void example_image(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    send_blob(res, call.services.gallery.photos(),
              call.services.subjects.example_face(req.path_param(0)).photo_key);
}

// ---- recognition, detection, verification ----

void recognize(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const auto options = read_compreface_options(req, call.may_read_embeddings());
    SearchRequest request;
    request.photo = compreface_image(req, "file");
    request.all_faces = true;
    // Candidates that are not subjects are skipped below, so the search lists as many as it may.
    request.top_k = 100;
    request.attributes = options.plugins.age || options.plugins.gender;
    request.min_detection_score = options.det_prob_threshold;
    request.max_faces = options.limit;
    const double started = monotonic_seconds();
    auto results = call.services.search.search(request);
    keep_faces(results, options, [](const FaceSearchResult& r) { return r.box; });
    auto out = nlohmann::json::array();
    auto found = nlohmann::json::array();
    for (const auto& r : results) {
        auto face = compreface_face_json(r.box, r.points, r.attributes, &r.embedding, options.plugins);
        auto subjects = nlohmann::json::array();
        for (const auto& c : r.candidates) {
            const auto subject = subject_of(c.person);
            if (!subject) continue;
            // The probability that this subject is the right person (the open-set decision's), not the
            // cosine: CompreFace clients threshold it themselves.
            subjects.push_back({{"subject", *subject}, {"similarity", compreface_number(c.probability)}});
            found.push_back(c.person.id);
            if (int(subjects.size()) == options.prediction_count) break;
        }
        face["subjects"] = subjects;
        if (options.status) face["execution_time"] = execution_time(started);
        out.push_back(std::move(face));
    }
    call.audit_ids(nlohmann::json::array(), found);
    send_json(res, 200,
              {{"result", out}, {"plugins_versions", compreface_plugins_versions(options.plugins)}});
}

nlohmann::json comparison_json(const FaceComparison& c, const CompreFaceFaceOptions& options,
                               double started) {
    auto face = compreface_face_json(c.face.box, c.face.points, c.face.attributes, &c.face.embedding,
                                     options.plugins);
    // As in recognize: the probability that the two faces are the same person (a gallery of one).
    face["similarity"] = compreface_number(c.probability);
    if (options.status) face["execution_time"] = execution_time(started);
    return face;
}

void verify_example(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string& image_id = req.path_param(0);
    const auto options = read_compreface_options(req, call.may_read_embeddings());
    call.audit_ids(nlohmann::json::array({image_id}), nlohmann::json::array());
    const auto example = call.services.subjects.example_face(image_id);
    FaceRequest request{.photo = compreface_image(req, "file"),
                        .all_faces = true,
                        .embed = true,
                        .attributes = options.plugins.age || options.plugins.gender};
    const double started = monotonic_seconds();
    auto compared = call.services.search.compare(std::move(request), example.embedding);
    keep_faces(compared, options, [](const FaceComparison& c) { return c.face.box; });
    auto out = nlohmann::json::array();
    for (const auto& c : compared) out.push_back(comparison_json(c, options, started));
    call.audit_ids(nlohmann::json::array({image_id}), nlohmann::json::array({example.person_id}));
    send_json(res, 200,
              {{"result", out}, {"plugins_versions", compreface_plugins_versions(options.plugins)}});
}

void detect(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const auto options = read_compreface_options(req, call.may_read_embeddings());
    FaceRequest request{.photo = compreface_image(req, "file"),
                        .all_faces = true,
                        .embed = options.plugins.calculator,
                        .attributes = options.plugins.age || options.plugins.gender};
    const double started = monotonic_seconds();
    auto faces = call.services.search.faces(request);
    keep_faces(faces, options, [](const AnalyzedFace& f) { return f.box; });
    auto out = nlohmann::json::array();
    for (const auto& f : faces) {
        auto face = compreface_face_json(f.box, f.points, f.attributes, &f.embedding, options.plugins);
        if (options.status) face["execution_time"] = execution_time(started);
        out.push_back(std::move(face));
    }
    send_json(res, 200,
              {{"result", out}, {"plugins_versions", compreface_plugins_versions(options.plugins)}});
}

void verify_images(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const auto options = read_compreface_options(req, call.may_read_embeddings());
    const bool attributes = options.plugins.age || options.plugins.gender;
    std::string source = compreface_image(req, "source_image");
    std::string target = compreface_image(req, "target_image");
    const double started = monotonic_seconds();
    // The source's biggest face against every face of the target.
    auto source_faces = call.services.search.faces(
        FaceRequest{.photo = std::move(source), .all_faces = false, .embed = true, .attributes = attributes});
    const AnalyzedFace& source_face = source_faces.front();
    auto compared = call.services.search.compare(
        FaceRequest{.photo = std::move(target), .all_faces = true, .embed = true, .attributes = attributes},
        source_face.embedding);
    keep_faces(compared, options, [](const FaceComparison& c) { return c.face.box; });
    auto source_json = compreface_face_json(source_face.box, source_face.points, source_face.attributes,
                                            &source_face.embedding, options.plugins);
    if (options.status) source_json["execution_time"] = execution_time(started);
    auto matches = nlohmann::json::array();
    for (const auto& c : compared) matches.push_back(comparison_json(c, options, started));
    send_json(res, 200,
              {{"result", nlohmann::json::array(
                              {{{"source_image_face", source_json},
                                {"face_matches", matches},
                                {"plugins_versions", compreface_plugins_versions(options.plugins)}}})}});
}

constexpr uint8_t kAdmin = kAdminRole, kOperator = kOperatorRole, kSearcher = kSearcherRole,
                  kAuditor = kAuditorRole;
constexpr const RouteFlavor* kCf = &kCompreFace;

// The same roles as our own routes that do the same: lists as GET /persons, examples added as /register,
// deletions as DELETE /persons/{id} and /faces/{id} (admin only), recognition and verification as /search
// and /verify, images as GET /persons/{id}/photo.
constexpr std::array kRoutes = {
    RouteRule{"GET", "/api/v1/recognition/subjects", false, kAdmin | kOperator | kAuditor, "", list_subjects,
              kCf},
    RouteRule{"POST", "/api/v1/recognition/subjects", false, kAdmin | kOperator, "compreface.subject.add",
              add_subject, kCf},
    RouteRule{"PUT", "/api/v1/recognition/subjects/{subject}", false, kAdmin | kOperator,
              "compreface.subject.rename", rename_subject, kCf},
    RouteRule{"DELETE", "/api/v1/recognition/subjects/{subject}", false, kAdmin, "compreface.subject.delete",
              delete_subject, kCf},
    RouteRule{"DELETE", "/api/v1/recognition/subjects", false, kAdmin, "compreface.subjects.delete",
              delete_all_subjects, kCf},
    RouteRule{"POST", "/api/v1/recognition/faces", false, kAdmin | kOperator, "compreface.example.add",
              add_example, kCf},
    RouteRule{"GET", "/api/v1/recognition/faces", false, kAdmin | kOperator | kAuditor, "", list_examples,
              kCf},
    RouteRule{"DELETE", "/api/v1/recognition/faces", false, kAdmin, "compreface.examples.delete",
              delete_examples, kCf},
    RouteRule{"DELETE", "/api/v1/recognition/faces/{image_id}", false, kAdmin, "compreface.example.delete",
              delete_example, kCf},
    RouteRule{"POST", "/api/v1/recognition/faces/delete", false, kAdmin, "compreface.examples.delete",
              delete_example_list, kCf},
    RouteRule{"GET", "/api/v1/recognition/faces/{image_id}/img", false, kAdmin | kOperator, "", example_image,
              kCf},
    RouteRule{"POST", "/api/v1/recognition/recognize", false, kAdmin | kOperator | kSearcher,
              "compreface.recognize", recognize, kCf},
    RouteRule{"POST", "/api/v1/recognition/faces/{image_id}/verify", false, kAdmin | kOperator | kSearcher,
              "compreface.verify", verify_example, kCf},
    RouteRule{"POST", "/api/v1/detection/detect", false, kAdmin | kOperator | kSearcher, "", detect, kCf},
    RouteRule{"POST", "/api/v1/verification/verify", false, kAdmin | kOperator | kSearcher,
              "compreface.verification", verify_images, kCf},
};

}  // namespace

std::span<const RouteRule> compreface_routes() {
    return kRoutes;
}

}  // namespace faceid
