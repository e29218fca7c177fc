// Routes that run the face pipeline: register, search (single and batch), verify, detect.
#include "api/http_server.h"
#include "api/request_reader.h"
#include "core/error.h"
#include "core/ids.h"
#include "schemas/face_json.h"

#include <cmath>

namespace faceid {
namespace {

constexpr size_t kNameMax = 200;
constexpr size_t kExternalIdMax = 128;

SearchRequest read_search_options(const RequestReader& in, std::string photo) {
    SearchRequest request;
    request.photo = std::move(photo);
    request.top_k = in.integer("top_k", 1, 100).value_or(5);
    request.threshold = in.number("threshold", -1.0, 1.0);
    request.all_faces = in.boolean("all_faces", false);
    return request;
}

// Person ids a search answered with (matches and candidates), for the audit log.
void collect_person_ids(const std::vector<FaceSearchResult>& results, nlohmann::json& ids) {
    for (const auto& r : results) {
        if (r.match) ids.push_back(r.match->person.id);
        for (const auto& c : r.candidates)
            if (!r.match || c.person.id != r.match->person.id) ids.push_back(c.person.id);
    }
}

nlohmann::json search_results_json(const std::vector<FaceSearchResult>& results,
                                   const SimilarityCalibration& calibration, const FieldView& view) {
    auto out = nlohmann::json::array();
    for (const auto& r : results) {
        auto candidates = nlohmann::json::array();
        for (const auto& c : r.candidates) candidates.push_back(match_json(c, calibration, view));
        out.push_back({{"box", box_to_json(r.box)},
                       {"quality", {{"score", std::round(r.quality.score * 1000) / 1000}, {"reasons", r.quality.reasons}}},
                       {"match", r.match ? match_json(*r.match, calibration, view) : nlohmann::json()},
                       {"candidates", candidates}});
    }
    return out;
}

}  // namespace

void HttpServer::add_face_routes() {
    add(Method::kPost, "/register", "/register", [this](const httplib::Request& req, httplib::Response& res) {
        RequestReader in(req);
        RegistrationRequest request;
        request.photo = in.required_photo("photo");
        request.name = in.text("name", kNameMax);
        request.external_id = in.text("external_id", kExternalIdMax);
        if (request.external_id && request.external_id->empty()) request.external_id.reset();
        request.metadata = in.object("metadata");
        request.person_id = in.text("person_id", 64);
        if (request.person_id && request.person_id->empty()) request.person_id.reset();
        request.face_index = in.integer("face_index", 0, 1000);
        const FieldView view = view_for(req);
        const auto subjects = request.person_id ? nlohmann::json::array({*request.person_id}) : nlohmann::json::array();
        audit_ids(req, subjects, nlohmann::json::array());
        const auto result = services_.registration.register_face(request);
        auto changed = nlohmann::json::array({result.person.id, result.face.id});
        for (const auto& dropped : result.dropped_face_ids) changed.push_back(dropped);
        audit_ids(req, subjects, changed);
        auto face = face_json(result.face, result.primary, view);
        face["quality"] = quality_to_json(result.quality);
        send_json(res, 201,
                  {{"person", person_json(result.person, view)},
                   {"face", face},
                   {"created", result.created},
                   {"primary", result.primary},
                   {"faces_seen", result.faces_seen},
                   {"face_index", result.face_index},
                   {"dropped_face_ids", result.dropped_face_ids}});
    });

    add(Method::kPost, "/search", "/search", [this](const httplib::Request& req, httplib::Response& res) {
        RequestReader in(req);
        const auto request = read_search_options(in, in.required_photo("photo"));
        const FieldView view = view_for(req);
        const auto results = services_.search.search(request);
        auto found = nlohmann::json::array();
        collect_person_ids(results, found);
        audit_ids(req, nlohmann::json::array(), found);
        send_json(res, 200,
                  {{"results", search_results_json(results, services_.search.calibration(), view)},
                   {"threshold", request.threshold.value_or(services_.search.calibration().threshold)}});
    });

    add(Method::kPost, "/search/batch", "/search/batch", [this](const httplib::Request& req, httplib::Response& res) {
        RequestReader in(req);
        std::vector<SearchRequest> requests;
        if (req.is_multipart_form_data()) {
            auto range = req.files.equal_range("photos");
            for (auto it = range.first; it != range.second; ++it) requests.push_back(read_search_options(in, it->second.content));
        } else {
            throw Error(ErrorCode::kUnsupportedMediaType, "Send the photos as multipart/form-data fields named photos.");
        }
        if (requests.empty()) throw Error(ErrorCode::kMissingField, "photos is required.", {{"field", "photos"}});
        if (int(requests.size()) > config_.max_batch)
            throw Error(ErrorCode::kInvalidField, "At most " + std::to_string(config_.max_batch) + " photos per batch.",
                        {{"field", "photos"}, {"max", config_.max_batch}});
        const FieldView view = view_for(req);
        const auto entries = services_.search.search_batch(requests);
        auto out = nlohmann::json::array();
        auto found = nlohmann::json::array();
        for (const auto& entry : entries) {
            if (!entry.error) collect_person_ids(entry.results, found);
            if (entry.error) {
                const auto& info = entry.error->info();
                out.push_back(error_json(std::string(info.name), entry.error->what(), entry.error->details()));
            } else {
                out.push_back({{"results", search_results_json(entry.results, services_.search.calibration(), view)}});
            }
        }
        audit_ids(req, nlohmann::json::array(), found);
        send_json(res, 200, {{"batch", out}});
    });

    add(Method::kPost, "/verify", "/verify", [this](const httplib::Request& req, httplib::Response& res) {
        RequestReader in(req);
        VerifyRequest request;
        request.photo_a = in.photo("photo_a").value_or(in.photo("photo").value_or(""));
        if (request.photo_a.empty()) throw Error(ErrorCode::kMissingField, "photo_a is required.", {{"field", "photo_a"}});
        request.photo_b = in.photo("photo_b");
        request.person_id = in.text("person_id", 64);
        if (request.person_id && !is_well_formed_id(*request.person_id, 'p'))
            throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", *request.person_id}});
        const auto subjects = request.person_id ? nlohmann::json::array({*request.person_id}) : nlohmann::json::array();
        audit_ids(req, subjects, nlohmann::json::array());
        const auto result = services_.search.verify(request);
        audit_ids(req, subjects, result.face_id ? nlohmann::json::array({*result.face_id}) : nlohmann::json::array());
        const auto& calibration = services_.search.calibration();
        nlohmann::json body = {{"same", result.same},
                               {"similarity", std::round(result.similarity * 10000) / 10000},
                               {"percentage", std::round(calibration.percentage(result.similarity) * 10) / 10},
                               {"threshold", calibration.threshold}};
        if (result.face_id) body["face_id"] = *result.face_id;
        send_json(res, 200, body);
    });

    add(Method::kPost, "/detect", "/detect", [this](const httplib::Request& req, httplib::Response& res) {
        RequestReader in(req);
        const auto detection = services_.search.detect(in.required_photo("photo"));
        auto faces = nlohmann::json::array();
        for (const auto& f : detection.faces)
            faces.push_back({{"box", box_to_json(f.box)},
                             {"score", std::round(f.box.score * 1000) / 1000},
                             {"landmarks", landmarks_to_json(f.points)},
                             {"quality", quality_to_json(f.quality)}});
        send_json(res, 200, {{"width", detection.size.width}, {"height", detection.size.height}, {"faces", faces}});
    });
}

}  // namespace faceid
