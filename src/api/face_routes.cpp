// Routes that run the face pipeline: register, search (single and batch), verify, detect.
#include "api/access_policy.h"
#include "api/request_reader.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/json_limits.h"
#include "schemas/face_json.h"

#include <array>
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

RegistrationRequest read_registration(const RequestReader& in, std::string photo) {
    RegistrationRequest request;
    request.photo = std::move(photo);
    if (request.photo.empty()) throw Error(ErrorCode::kEmptyInput, "", {{"field", "photo"}});
    request.name = in.text("name", kNameMax);
    request.external_id = in.text("external_id", kExternalIdMax);
    if (request.external_id && request.external_id->empty()) request.external_id.reset();
    request.metadata = in.object("metadata");
    request.person_id = in.text("person_id", 64);
    if (request.person_id && request.person_id->empty()) request.person_id.reset();
    request.face_index = in.integer("face_index", 0, 1000);
    request.allow_duplicate = in.boolean("allow_duplicate", false);
    request.allow_mismatch = in.boolean("allow_mismatch", false);
    request.skip_known_photo = in.boolean("skip_known_photo", false);
    return request;
}

void register_face(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    RequestReader in(req);
    const FieldView view = call.view(req);
    auto request = read_registration(in, in.required_photo("photo"));
    if (request.allow_mismatch && call.caller().role != Role::kAdmin)
        throw Error(ErrorCode::kForbidden, "Only an admin key may add a face that does not match the person.",
                    {{"field", "allow_mismatch"}});
    const auto subjects =
        request.person_id ? nlohmann::json::array({*request.person_id}) : nlohmann::json::array();
    call.audit_ids(subjects, nlohmann::json::array());
    const auto result = call.services.registration.register_face(request);
    auto changed = nlohmann::json::array();
    if (!result.skipped) changed = {result.person.id, result.face.id};
    for (const auto& dropped : result.dropped_face_ids) changed.push_back(dropped);
    call.audit_ids(subjects, changed);
    if (request.allow_mismatch && !result.created && !result.skipped)
        call.audit_forced_mismatch(result.person.id, result.face.id);
    // An import re-run that found the photo already stored gets 200 and "skipped": nothing was created.
    send_json(res, result.skipped ? 200 : 201, registration_json(result, view));
}

void register_batch(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    // JSON: {"items": [{"photo": base64, "name": ..., ...}, ...]}. Multipart: files named "photos"
    // and an optional "items" field holding a JSON array with the other fields of each photo, in
    // order.
    RequestReader in(req);
    std::vector<RegistrationService::BatchItem> items;
    auto read_item = [&](nlohmann::json fields, std::optional<std::string> photo) {
        auto& item = items.emplace_back();
        try {
            RequestReader reader(std::move(fields));
            item.request =
                read_registration(reader, photo ? std::move(*photo) : reader.required_photo("photo"));
            if (item.request.allow_mismatch && call.caller().role != Role::kAdmin)
                throw Error(ErrorCode::kForbidden,
                            "Only an admin key may add a face that does not match the person.",
                            {{"field", "allow_mismatch"}});
        } catch (const Error& e) {
            item.request = {};
            item.refused = e;
        }
    };
    nlohmann::json fields = nlohmann::json::array();
    if (req.multipart) {
        if (req.has_part("items")) {
            auto parsed = parse_json_limited(req.part("items")->content);
            throw_if_refused_shape(parsed, "items");
            fields = std::move(parsed.value);
            if (!fields.is_array())
                throw Error(ErrorCode::kInvalidField, "items must be a JSON array.", {{"field", "items"}});
        }
        const auto photos = req.parts_named("photos");
        for (size_t i = 0; i < photos.size() && int(i) < call.config.max_batch; ++i)  // more: refused below
            read_item(i < fields.size() ? fields[i] : nlohmann::json::object(), photos[i]->content);
        if (int(photos.size()) > call.config.max_batch) items.resize(size_t(call.config.max_batch) + 1);
    } else {
        const auto& body = in.json_body();
        if (!body.is_object() || !body.contains("items") || !body["items"].is_array())
            throw Error(ErrorCode::kMissingField, "Send {\"items\": [...]}.", {{"field", "items"}});
        if (int(body["items"].size()) > call.config.max_batch)
            items.resize(size_t(call.config.max_batch) + 1);
        else
            for (const auto& item : body["items"]) read_item(item, std::nullopt);
    }
    if (items.empty())
        throw Error(ErrorCode::kMissingField, "No photos in the batch.", {{"field", "photos"}});
    if (int(items.size()) > call.config.max_batch)
        throw Error(ErrorCode::kInvalidField,
                    "At most " + std::to_string(call.config.max_batch) + " registrations per batch.",
                    {{"field", "items"}, {"max", call.config.max_batch}});

    call.charge(int(items.size()));  // one token per photo
    const auto outcome =
        call.services.registration.register_items(std::move(items), call.services.pipelines.size());
    for (const auto& [person_id, face_id] : outcome.forced_mismatches)
        call.audit_forced_mismatch(person_id, face_id);
    const FieldView view = call.view(req);
    auto out = nlohmann::json::array();
    for (const auto& entry : outcome.entries) {
        if (entry.error) {
            log_server_error(*entry.error, "POST /register/batch item");
            auto item = error_json(*entry.error);
            item["status"] = entry.error->info().http_status;
            out.push_back(std::move(item));
            continue;
        }
        auto item = registration_json(*entry.result, view);
        item["status"] = entry.result->skipped ? 200 : 201;
        out.push_back(std::move(item));
    }
    call.audit_ids(nlohmann::json::array(), outcome.changed_ids);
    send_json(res, 200,
              {{"results", out},
               {"created", outcome.created},
               {"added", outcome.added},
               {"skipped", outcome.skipped},
               {"failed", outcome.failed}});
}

void search(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    RequestReader in(req);
    auto request = read_search_options(in, in.required_photo("photo"));
    request.may_go_below_floor = call.caller().role == Role::kAdmin;
    const FieldView view = call.view(req);
    const auto results = call.services.search.search(request);
    auto found = nlohmann::json::array();
    collect_person_ids(results, found);
    call.audit_ids(nlohmann::json::array(), found);
    const auto decision =
        results.empty() ? call.services.search.decision_for(request) : results.front().decision;
    send_json(res, 200,
              {{"results", search_results_json(results, view)},
               {"threshold", std::round(decision.threshold * 10000) / 10000},
               {"decision", decision_json(decision)}});
}

void search_batch(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    RequestReader in(req);
    std::vector<SearchRequest> requests;
    if (req.multipart) {
        for (const FormPart* photo : req.parts_named("photos")) {
            requests.push_back(read_search_options(in, photo->content));
            requests.back().may_go_below_floor = call.caller().role == Role::kAdmin;
        }
    } else {
        throw Error(ErrorCode::kUnsupportedMediaType,
                    "Send the photos as multipart/form-data fields named photos.");
    }
    if (requests.empty()) throw Error(ErrorCode::kMissingField, "photos is required.", {{"field", "photos"}});
    if (int(requests.size()) > call.config.max_batch)
        throw Error(ErrorCode::kInvalidField,
                    "At most " + std::to_string(call.config.max_batch) + " photos per batch.",
                    {{"field", "photos"}, {"max", call.config.max_batch}});
    call.charge(int(requests.size()));  // one token per photo, as separate searches would
    const FieldView view = call.view(req);
    const auto entries = call.services.search.search_batch(requests, call.services.pipelines.size());
    auto out = nlohmann::json::array();
    auto found = nlohmann::json::array();
    for (const auto& entry : entries) {
        if (!entry.error) collect_person_ids(entry.results, found);
        if (entry.error) {
            log_server_error(*entry.error, "POST /search/batch item");
            out.push_back(error_json(*entry.error));
        } else {
            out.push_back({{"results", search_results_json(entry.results, view)}});
        }
    }
    call.audit_ids(nlohmann::json::array(), found);
    send_json(res, 200, {{"batch", out}});
}

void verify(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    RequestReader in(req);
    VerifyRequest request;
    request.photo_a = in.photo("photo_a").value_or(in.photo("photo").value_or(""));
    if (request.photo_a.empty())
        throw Error(ErrorCode::kMissingField, "photo_a is required.", {{"field", "photo_a"}});
    request.photo_b = in.photo("photo_b");
    request.person_id = in.text("person_id", 64);
    if (request.person_id && !is_well_formed_id(*request.person_id, 'p'))
        throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", *request.person_id}});
    const auto subjects =
        request.person_id ? nlohmann::json::array({*request.person_id}) : nlohmann::json::array();
    call.audit_ids(subjects, nlohmann::json::array());
    const auto result = call.services.search.verify(request);
    call.audit_ids(subjects,
                   result.face_id ? nlohmann::json::array({*result.face_id}) : nlohmann::json::array());
    send_json(res, 200, verification_json(result));
}

void detect(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    RequestReader in(req);
    const auto detection = call.services.search.detect(in.required_photo("photo"));
    auto faces = nlohmann::json::array();
    for (const auto& f : detection.faces)
        faces.push_back(detected_face_json(f, call.services.search.options().live_threshold));
    const bool truncated = int(detection.faces.size()) < detection.faces_detected;
    send_json(res, 200,
              {{"width", detection.size.width},
               {"height", detection.size.height},
               {"faces", faces},
               {"faces_detected", detection.faces_detected},
               {"faces_truncated", truncated},
               {"rotation", detection.rotation}});
}

constexpr uint8_t kAdmin = kAdminRole, kOperator = kOperatorRole, kSearcher = kSearcherRole;

constexpr std::array kRoutes = {
    RouteRule{"POST", "/register", false, kAdmin | kOperator, "register", register_face},
    RouteRule{"POST", "/register/batch", false, kAdmin | kOperator, "register.batch", register_batch},
    RouteRule{"POST", "/search", false, kAdmin | kOperator | kSearcher, "search", search},
    RouteRule{"POST", "/search/batch", false, kAdmin | kOperator | kSearcher, "search.batch", search_batch},
    RouteRule{"POST", "/verify", false, kAdmin | kOperator | kSearcher, "verify", verify},
    RouteRule{"POST", "/detect", false, kAdmin | kOperator | kSearcher, "", detect},
};

}  // namespace

std::span<const RouteRule> face_routes() {
    return kRoutes;
}

}  // namespace faceid
