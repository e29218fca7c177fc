#pragma once
// The HTTP API: the rows of the route tables (access_policy.h) served over the transport (http_transport.h,
// libmicrohttpd). For each request it checks what can be checked from the headers alone before the body is
// read (path, framing, size, route), and around every handler authenticates the caller (API key), checks
// the row's roles, applies the per-key rate limit, maps errors to JSON, records metrics and writes the
// audit log.
#include "api/access_policy.h"
#include "api/http_transport.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "api/route_call.h"

#include <memory>
#include <string>
#include <vector>

namespace faceid {

class HttpServer : public HttpHandler {
  public:
    HttpServer(ApiServices services, ApiConfig config);
    ~HttpServer() override;

    // Binds the listening socket and starts answering; returns false if the address is taken. Port 0 picks
    // a free port.
    bool bind();
    int port() const { return transport_->port(); }
    // Serves until stop(); requests in flight are finished before it returns.
    void listen();
    void stop();
    bool running() const;
    bool tls() const { return tls_; }

    // HttpHandler: the checks before the body (from the headers on the event loop; the API key on a worker),
    // and the routed call once it is in.
    std::optional<HttpResponse> admit(const HttpRequest& head) override;
    bool check_before_body(const HttpRequest& head) override;
    std::optional<HttpResponse> check(const HttpRequest& head) override;
    void serve(HttpRequest& request, HttpResponse& response) override;

  private:
    friend class RouteCall;
    struct Route {
        const RouteRule* rule;
        std::vector<std::string> segments;  // "{id}" segments match any one path segment
    };
    // The route of this method and path (its {id}s into path_params), or nullptr.
    const RouteRule* route_for(const std::string& method, const std::string& path,
                               std::vector<std::string>* path_params) const;
    // route_for, and for a row with a lenient flavor also a path with parameters glued on after '&'
    // (returned in `glued`).
    const RouteRule* route_request(const std::string& method, const std::string& path,
                                   std::vector<std::string>* path_params, std::string* glued) const;
    // Answers one request of the row's route: authentication, roles, rate limit, handler, errors, audit.
    void handle(const RouteRule& rule, const HttpRequest& req, HttpResponse& res);
    Caller authenticate(const HttpRequest& req) const;
    // authenticate(), with failed attempts limited per client address (429 once exhausted).
    Caller authenticate_limited(const HttpRequest& req, HttpResponse& res);
    // The JSON error answer of `e`, in the shape of `rule`'s flavor when it has one (and its log line when
    // it is the server's fault).
    static void answer_error(const Error& e, const std::string& what, HttpResponse& res,
                             const RouteRule* rule = nullptr);
    // Throws Error(kRateLimited) with a Retry-After header when `key` has no token left in `limiter`.
    void refuse_if_limited(RateLimiter& limiter, const std::string& key, HttpResponse& res) const;
    void write_audit(const Caller& caller, std::string_view action, int status, nlohmann::json subject_ids,
                     nlohmann::json result_ids) const;

    ApiServices services_;
    ApiConfig config_;
    bool tls_ = false;
    std::vector<Route> routes_;
    Metrics metrics_;
    RateLimiter rate_limiter_;
    // 401s per client address: a burst of 10, then one a second (off with the per-key limit, --rate-limit 0).
    static constexpr RateLimit kAuthFailureLimit{1, 10};
    RateLimiter auth_failures_;
    std::unique_ptr<HttpTransport> transport_;  // last: it calls into the members above until it is gone
};

}  // namespace faceid
