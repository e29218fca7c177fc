#pragma once
// The HTTP API served by cpp-httplib. This class (http_server.cpp) is the transport adapter and the only
// part of api/ that knows the HTTP library: it registers the rows of the route tables (access_policy.h),
// turns each httplib request into an HttpRequest and the handler's HttpResponse back, and around every
// handler authenticates the caller (API key), checks the row's roles, applies the per-key rate limit,
// maps errors to JSON, records metrics and writes the audit log.
#include "api/access_policy.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "api/route_call.h"

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace faceid {

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
    bool running() const;
    bool tls() const { return tls_; }

  private:
    friend class RouteCall;
    // Registers one row of a route table.
    void add(const RouteRule& rule);
    // Answers one request of the row's route: authentication, roles, rate limit, handler, errors, audit.
    void handle(const RouteRule& rule, const HttpRequest& req, HttpResponse& res);
    Caller authenticate(const HttpRequest& req) const;
    // Throws Error(kRateLimited) with a Retry-After header when `key` has no token left in `limiter`.
    void refuse_if_limited(RateLimiter& limiter, const std::string& key, HttpResponse& res) const;
    void write_audit(const Caller& caller, std::string_view action, int status, nlohmann::json subject_ids,
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
