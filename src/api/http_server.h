#pragma once
// The HTTP API on cpp-httplib: routes, JSON errors, metrics and static files. Thin: parse -> call a
// service -> render. Every route goes through add(), which authenticates the caller (API key), checks
// the route table in access_policy.cpp, applies the per-key rate limit and writes the audit log.
#include "api/access_policy.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "api/resource_json.h"
#include "repositories/audit_log.h"
#include "services/api_key_service.h"
#include "services/duplicate_finder.h"
#include "services/person_service.h"
#include "services/registration_service.h"
#include "services/retention_service.h"
#include "services/search_service.h"

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace faceid {

struct ApiConfig {
    std::string host = "127.0.0.1";
    int port = 8000;
    size_t max_upload_bytes = 10 * 1024 * 1024;
    int http_threads = 8;
    int read_timeout_seconds = 15;  // also bounds slow-loris bodies
    int write_timeout_seconds = 15;
    int max_batch = 64;
    std::filesystem::path web_dir;      // the page (index.html, app.js, ...)
    std::filesystem::path swagger_dir;  // node_modules/swagger-ui-dist
    // false (--no-auth, loopback only): every caller is treated as a local admin.
    bool auth_enabled = true;
    RateLimit rate_limit{20, 40};
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
    double duplicate_threshold = kDefaultDuplicateThreshold;  // default of GET /admin/duplicates
};

class HttpServer {
  public:
    HttpServer(ApiServices services, ApiConfig config);
    ~HttpServer();

    // Binds the listening socket; returns false if the address is taken. Port 0 picks a free port.
    bool bind();
    int port() const { return port_; }
    // Serves until stop(); requests in flight are finished before it returns.
    void listen();
    void stop();
    bool running() const { return server_->is_running(); }
    bool tls() const { return tls_; }

  private:
    using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
    enum class Method { kGet, kPost, kPatch, kDelete };
    // Registers a route; `route` is the documented pattern used in metrics and logs.
    void add(Method method, const std::string& pattern, const std::string& route, Handler handler);
    void add_face_routes();
    void add_person_routes();
    void add_system_routes();
    void add_admin_routes();
    void add_maintenance_routes();
    void send_json(httplib::Response& res, int status, const nlohmann::json& body) const;
    void send_blob(httplib::Response& res, const std::string& key) const;
    // What the caller's role may see of stored data; ?include=embeddings adds embeddings for an admin
    // and is refused (403) for anyone else.
    FieldView view_for(const httplib::Request& req) const;
    // The authenticated caller of the request being handled (a local admin when auth is off).
    const Caller& caller_for(const httplib::Request& req) const;
    // Ids for the audit entry of the request being handled (routes with an audit action only).
    void audit_ids(const httplib::Request& req, nlohmann::json subject_ids, nlohmann::json result_ids) const;
    // An admin added a face that does not match its person (allow_mismatch): its own audit entry.
    void audit_forced_mismatch(const httplib::Request& req, const std::string& person_id,
                               const std::string& face_id) const;
    Caller authenticate(const httplib::Request& req) const;
    // Throws Error(kRateLimited) with a Retry-After header when `key` has no token left in `limiter`.
    void refuse_if_limited(RateLimiter& limiter, const std::string& key, httplib::Response& res) const;
    // A request that does the work of `units` requests (a batch of photos) takes units - 1 more tokens
    // from its key's bucket, beyond the one it was admitted with.
    void charge_request(const httplib::Request& req, int units);
    // Whether the request carries an API key at all (valid or not).
    static bool is_key_presented(const httplib::Request& req);
    void write_audit(const Caller& caller, const RouteRule& rule, int status, nlohmann::json subject_ids,
                     nlohmann::json result_ids) const;

    ApiServices services_;
    ApiConfig config_;
    bool tls_ = false;
    std::unique_ptr<httplib::Server> server_;
    Metrics metrics_;
    RateLimiter rate_limiter_;
    // 401s per client address: a burst of 10, then one a second (off with the per-key limit, --rate-limit 0).
    static constexpr RateLimit kAuthFailureLimit{1, 10};
    RateLimiter auth_failures_;
    int port_ = 0;
};

}  // namespace faceid
