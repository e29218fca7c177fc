#pragma once
// What a route handler works with: the services and settings of the API, and the call it is answering
// (who the caller is, what they may see, what the audit entry records). Handlers take a RouteCall, an
// HttpRequest and an HttpResponse, and nothing of the HTTP library (see http_message.h).
#include "api/http_message.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "api/resource_json.h"
#include "repositories/audit_log.h"
#include "services/api_key_service.h"
#include "services/correction_service.h"
#include "services/duplicate_finder.h"
#include "services/person_service.h"
#include "services/registration_service.h"
#include "services/retention_service.h"
#include "services/search_service.h"
#include "services/subject_service.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace faceid {

// What the searcher role sees of a person beyond id, name and similarity (the searcher_fields setting):
// nothing more by default; a door or a check-in desk may need the external_id. See field_view_for.
struct SearcherFields {
    bool external_id = false;
    bool metadata = false;
};

struct ApiConfig {
    std::string host = "127.0.0.1";
    int port = 8000;
    size_t max_upload_bytes = 10 * 1024 * 1024;
    int http_threads = 8;  // handler (worker) threads; the transport's event loop is one more
    int http_queue = 64;   // admitted requests waiting for a worker; beyond that 503
    // Request bodies held at once (being received, waiting or being handled), by their Content-Length;
    // beyond that 503 before the body is read. Never below one maximal upload.
    int max_buffered_body_mb = 256;
    int max_connections = 2000;
    int connections_per_address = 256;
    int read_timeout_seconds = 15;    // a connection silent this long is closed (a slow body too)
    int header_timeout_seconds = 10;  // a request's headers must be in this long after the connection
                                      // opened or its previous answer went out (slow-loris)
    int body_timeout_seconds = 120;   // an admitted request's body must be in this long after its headers
    int max_batch = 64;
    std::filesystem::path web_dir;      // the page (index.html, app.js, ...)
    std::filesystem::path swagger_dir;  // node_modules/swagger-ui-dist
    // false (--no-auth, loopback only): every caller is treated as a local admin.
    bool auth_enabled = true;
    RateLimit rate_limit{20, 40};
    SearcherFields searcher_fields;           // what the searcher role sees beyond id, name and similarity
    std::filesystem::path tls_cert, tls_key;  // both set: HTTPS
};

struct ApiServices {
    Gallery& gallery;
    PersonService& persons;
    RegistrationService& registration;
    SearchService& search;
    PipelinePool& pipelines;
    std::string storage_description;
    ApiKeyService& keys;
    AuditLog& audit;
    RetentionService& retention;
    CorrectionService& corrections;
    SubjectService& subjects;                                 // CompreFace subjects (compreface_routes.cpp)
    double duplicate_threshold = kDefaultDuplicateThreshold;  // default of GET /admin/duplicates
};

class HttpServer;

// One call of a route, from authentication to the audit entry. Made by HttpServer for each request.
class RouteCall {
  public:
    RouteCall(HttpServer& server, ApiServices& services, const ApiConfig& config)
        : services(services), config(config), server_(server) {}
    RouteCall(const RouteCall&) = delete;
    RouteCall& operator=(const RouteCall&) = delete;

    ApiServices& services;
    const ApiConfig& config;

    // The authenticated caller (a local admin when auth is off; empty on public routes).
    const Caller& caller() const { return caller_; }
    bool authenticated() const { return authenticated_; }
    // What the caller's role may see of stored data; ?include=embeddings adds embeddings for an admin
    // and is refused (403) for anyone else.
    FieldView view(const HttpRequest& req) const;
    // Whether the caller may read embeddings when it asks for them explicitly (admin keys only).
    bool may_read_embeddings() const { return caller_.role == Role::kAdmin; }
    // Ids for the audit entry of this call (routes with an audit action only).
    void audit_ids(nlohmann::json subject_ids, nlohmann::json result_ids);
    // An admin added a face that does not match its person (allow_mismatch): its own audit entry.
    void audit_forced_mismatch(const std::string& person_id, const std::string& face_id);
    // A request that does the work of `units` requests (a batch of photos) takes units - 1 more tokens
    // from its key's bucket, beyond the one it was admitted with.
    void charge(int units);
    // GET /readyz: whether the request carries a valid key. A wrong key counts against the client address
    // like a 401 elsewhere, and an address out of tokens gets no key check.
    bool presents_valid_key(const HttpRequest& req);
    // The Prometheus text of the request metrics plus `extra`.
    std::string metrics_text(const std::vector<Metrics::Gauge>& extra) const;

  private:
    friend class HttpServer;
    HttpServer& server_;
    Caller caller_;
    bool authenticated_ = false;
    nlohmann::json subject_ids_ = nlohmann::json::array();
    nlohmann::json result_ids_ = nlohmann::json::array();
};

using RouteHandler = void (*)(RouteCall& call, const HttpRequest& req, HttpResponse& res);

void send_json(HttpResponse& res, int status, const nlohmann::json& body);
// A stored photo or crop file, with its content type; Error(kNotFound) when the file is missing.
void send_blob(HttpResponse& res, PhotoStore& photos, const std::string& key);

}  // namespace faceid
