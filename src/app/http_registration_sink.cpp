#include "app/http_registration_sink.h"

#include "core/error.h"
#include "core/json_limits.h"

#include <httplib.h>

#include <cstdint>

namespace faceid::app {

HttpRegistrationSink::HttpRegistrationSink(std::string url, std::string key)
    : url_(std::move(url)), key_(std::move(key)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

std::vector<ImportOutcome> HttpRegistrationSink::register_batch(
    const std::vector<RegistrationRequest>& requests) {
    httplib::Client client(url_);  // one connection per call: batches run on several threads
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(600, 0);
    client.set_write_timeout(120, 0);
    httplib::Headers headers;
    if (!key_.empty()) headers = {{"X-API-Key", key_}, {"Authorization", "Bearer " + key_}};

    httplib::MultipartFormDataItems parts;
    auto fields = nlohmann::json::array();
    for (const auto& r : requests) {
        parts.push_back({"photos", r.photo, "photo", "application/octet-stream"});
        nlohmann::json item = {{"allow_duplicate", r.allow_duplicate},
                               {"skip_known_photo", r.skip_known_photo}};
        if (r.name) item["name"] = *r.name;
        if (r.external_id) item["external_id"] = *r.external_id;
        if (r.metadata) item["metadata"] = *r.metadata;
        if (r.person_id) item["person_id"] = *r.person_id;
        fields.push_back(std::move(item));
    }
    parts.push_back({"items", fields.dump(), "", "application/json"});
    auto res = client.Post("/register/batch", headers, parts);
    if (!res)
        throw Error(ErrorCode::kUnavailable,
                    "no answer from " + url_ + ": " + httplib::to_string(res.error()));
    // The server's answer is parsed with a depth limit too, so that the importer cannot crash on any answer
    // (no value limit: a long answer is the server's own).
    const auto body = parse_json_limited(res->body, 2 * kMaxJsonDepth, SIZE_MAX).value;
    if (res->status != 200 || !body.is_object() || !body.contains("results")) {
        std::string message = "the server answered " + std::to_string(res->status);
        if (body.is_object() && body.contains("error")) message += ": " + body["error"].value("message", "");
        throw Error(
            res->status == 401 || res->status == 403 ? ErrorCode::kUnauthorized : ErrorCode::kUnavailable,
            message);
    }
    std::vector<ImportOutcome> outcomes;
    for (const auto& r : body["results"]) {
        ImportOutcome outcome;
        if (r.contains("error")) {
            outcome.kind = ImportOutcome::Kind::kRejected;
            outcome.code = r["error"].value("code", "");
            outcome.message = r["error"].value("message", "");
            const auto& details = r["error"]["details"];
            if (details.is_object() && details.contains("reasons") && details["reasons"].is_array())
                for (const auto& reason : details["reasons"])
                    outcome.reasons.push_back(reason.get<std::string>());
        } else {
            outcome.kind = r.value("skipped", false)   ? ImportOutcome::Kind::kSkipped
                           : r.value("created", false) ? ImportOutcome::Kind::kCreated
                                                       : ImportOutcome::Kind::kAdded;
            outcome.person_id = r["person"].value("id", "");
            outcome.face_id = r["face"].value("id", "");
        }
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

}  // namespace faceid::app
