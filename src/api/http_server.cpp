#include "api/http_server.h"

#include "core/clock.h"
#include "core/error.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace faceid {
namespace {

// The presented key: "Authorization: Bearer KEY" or "X-API-Key: KEY".
std::string presented_key(const HttpRequest& req) {
    const std::string authorization = req.header("Authorization");
    if (authorization.size() > 7 &&
        (authorization.starts_with("Bearer ") || authorization.starts_with("bearer ")))
        return authorization.substr(7);
    return req.header("X-API-Key");
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    size_t begin = 1;
    while (begin <= path.size()) {
        const size_t slash = std::min(path.find('/', begin), path.size());
        segments.emplace_back(path.substr(begin, slash - begin));
        begin = slash + 1;
    }
    return segments;
}

// A refusal in our error shape, or in the shape of the row's flavor (RouteFlavor::render_error) when the
// route is known.
HttpResponse refusal(ErrorCode code, const std::string& message, const char* name = nullptr,
                     const RouteFlavor* flavor = nullptr) {
    const auto& info = error_info(code);
    HttpResponse res;
    if (flavor && flavor->render_error) {
        flavor->render_error(Error(code, message.empty() ? std::string(info.message) : message), res);
        return res;
    }
    res.status = info.http_status;
    res.set_content(
        error_json(name ? std::string(name) : std::string(info.name),
                   message.empty() ? std::string(info.message) : message, nlohmann::json::object())
            .dump(),
        "application/json");
    return res;
}

constexpr size_t kMaxPathLength = 8192;

bool has_control_characters(std::string_view text, bool allow_tab) {
    return std::any_of(text.begin(), text.end(), [allow_tab](unsigned char c) {
        return (c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7F;
    });
}

// Body framing refused from the headers, before any body byte is read (the connection is closed after):
// - Transfer-Encoding (chunked): every client of ours sends Content-Length (the page's fetch + FormData,
//   curl -F, httplib's client, faceid import --url), and a length known up front is checked against the
//   upload limit before the body comes: 411.
// - Content-Length with Transfer-Encoding (RFC 9112 section 6.1, request smuggling; libmicrohttpd 0.9.75
//   lets chunked win silently), several differing Content-Length values (it takes the first), or one that
//   is not a plain decimal number below 2^63 (it accepts 2^64 - 1): 400. A "-1", "+2" or "abc" never get
//   here: libmicrohttpd answers those 400 itself (its own short HTML page) and closes.
// A row whose flavor accepts chunked bodies (RouteFlavor::accepts_chunked_body) takes Transfer-Encoding
// alone; the transport then limits the body as it arrives. Refusals are in the row's error shape.
std::optional<HttpResponse> refuse_framing(const HttpRequest& req, uint64_t max_body,
                                           const RouteFlavor* flavor) {
    const bool has_length = req.has_header("Content-Length");
    if (req.has_header("Transfer-Encoding")) {
        if (has_length)
            return refusal(ErrorCode::kBadRequest,
                           "A request may not carry both Content-Length and Transfer-Encoding.", nullptr,
                           flavor);
        if (flavor && flavor->accepts_chunked_body) return std::nullopt;
        HttpResponse res =
            refusal(ErrorCode::kBadRequest,
                    "Request bodies must be sent with a Content-Length, not with Transfer-Encoding.",
                    "length_required", flavor);
        res.status = 411;  // not in the error table: only the transport refuses this
        return res;
    }
    if (!has_length) return std::nullopt;
    const auto [first, last] = req.headers.equal_range("Content-Length");
    const std::string value = first->second;
    for (auto it = first; it != last; ++it) {
        const std::string& each = it->second;
        // 18 digits at most: below 2^63, and far beyond any upload limit.
        if (each.empty() || each.size() > 18 ||
            !std::all_of(each.begin(), each.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
            return refusal(ErrorCode::kBadRequest, "The Content-Length is not a valid length.", nullptr,
                           flavor);
        if (each != value)
            return refusal(ErrorCode::kBadRequest, "The request has conflicting Content-Length values.",
                           nullptr, flavor);
    }
    if (std::stoull(value) > max_body)
        return refusal(ErrorCode::kPayloadTooLarge,
                       "The request body is larger than the upload limit of " +
                           std::to_string(max_body / (1024 * 1024)) + " MB.",
                       nullptr, flavor);
    return std::nullopt;
}

// Parameters glued to a lenient row's request (RouteFlavor::lenient_query): "a=1&b=2" after an '&' in the
// path, and "x?b=2" values that carry a second '?'.
void add_glued_params(HttpRequest& req, std::string_view glued) {
    auto add = [&req](std::string_view pair) {
        if (pair.empty()) return;
        const size_t equals = pair.find('=');
        req.query.emplace(std::string(pair.substr(0, equals)), equals == std::string_view::npos
                                                                   ? std::string()
                                                                   : std::string(pair.substr(equals + 1)));
    };
    while (!glued.empty()) {
        const size_t amp = glued.find('&');
        add(glued.substr(0, amp));
        glued = amp == std::string_view::npos ? std::string_view() : glued.substr(amp + 1);
    }
    std::multimap<std::string, std::string> split;
    for (auto& [name, value] : req.query) {
        const size_t question = value.find('?');
        if (question == std::string::npos) {
            split.emplace(name, value);
            continue;
        }
        split.emplace(name, value.substr(0, question));
        std::string_view rest(value);
        rest.remove_prefix(question + 1);
        while (!rest.empty()) {
            const size_t next = rest.find('?');
            const std::string_view pair = rest.substr(0, next);
            if (!pair.empty()) {
                const size_t equals = pair.find('=');
                split.emplace(
                    std::string(pair.substr(0, equals)),
                    equals == std::string_view::npos ? std::string() : std::string(pair.substr(equals + 1)));
            }
            rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
        }
    }
    req.query = std::move(split);
}

std::string read_pem(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return in ? text.str() : std::string();
}

TransportSettings transport_settings(const ApiConfig& config) {
    TransportSettings t;
    t.host = config.host;
    t.port = config.port;
    if (!config.tls_cert.empty() || !config.tls_key.empty()) {
        if (config.tls_cert.empty() || config.tls_key.empty())
            throw Error(ErrorCode::kInvalidField, "TLS needs both --tls-cert and --tls-key");
        t.tls_cert_pem = read_pem(config.tls_cert);
        t.tls_key_pem = read_pem(config.tls_key);
        if (t.tls_cert_pem.empty() || t.tls_key_pem.empty())
            throw Error(ErrorCode::kInvalidField, "cannot load the TLS certificate " +
                                                      config.tls_cert.string() + " or its key " +
                                                      config.tls_key.string());
    }
    t.worker_threads = size_t(std::max(1, config.http_threads));
    t.queue_capacity = size_t(std::max(1, config.http_queue));
    t.max_connections = unsigned(std::max(1, config.max_connections));
    t.connections_per_address = unsigned(std::max(1, config.connections_per_address));
    t.idle_timeout_seconds = unsigned(std::max(1, config.read_timeout_seconds));
    t.header_timeout_seconds = unsigned(std::max(1, config.header_timeout_seconds));
    t.body_timeout_seconds = unsigned(std::max(1, config.body_timeout_seconds));
    // The body limit leaves room for multipart framing and the other fields around a maximal photo.
    t.max_body_bytes = config.max_upload_bytes + 64 * 1024;
    t.max_buffered_body_bytes =
        std::max<uint64_t>(uint64_t(config.max_buffered_body_mb) * 1024 * 1024, t.max_body_bytes);
    // A batch of max_batch photos with a few fields each, and room for the fields of any other route.
    t.max_form_parts = size_t(2 * std::max(1, config.max_batch) + 32);
    // On every response, the static page's and the API's alike. The page shows photos through blob: URLs
    // and Swagger UI sets inline styles; no inline scripts anywhere.
    t.default_headers = {
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self' "
         "'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
         "form-action 'self'; frame-ancestors 'none'"},
        {"X-Frame-Options", "DENY"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
    };
    return t;
}

}  // namespace

HttpServer::HttpServer(ApiServices services, ApiConfig config)
    : services_(services),
      config_(std::move(config)),
      rate_limiter_(config_.rate_limit),
      auth_failures_(config_.rate_limit.per_second > 0 ? kAuthFailureLimit : RateLimit{}) {
    tls_ = !config_.tls_cert.empty();
    // Every row of the route tables, and nothing else: a route cannot exist without its access rule.
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const RouteRule& rule : route_rules()) {
        if (!rule.handler || !seen.emplace(rule.method, rule.route).second)
            throw Error(ErrorCode::kInternal,
                        "route " + std::string(rule.method) + " " + std::string(rule.route) +
                            (rule.handler ? " is in the route tables twice" : " has no handler"));
        if (rule.method != "GET" && rule.method != "POST" && rule.method != "PUT" && rule.method != "PATCH" &&
            rule.method != "DELETE")
            throw Error(ErrorCode::kInternal, "route " + std::string(rule.route) +
                                                  " has the unknown method " + std::string(rule.method));
        const std::string_view route = rule.route;
        for (size_t open = route.find('{'); open != std::string_view::npos; open = route.find('{', open + 1))
            if (route.find('}', open) == std::string_view::npos)
                throw Error(ErrorCode::kInternal, "route " + std::string(route) + " has an unclosed {");
        routes_.push_back({&rule, split_path(route)});
    }

    // The static files: public, served by the transport before routing (GET and HEAD).
    StaticFiles files;
    if (!config_.swagger_dir.empty() && !files.mount("/docs/assets", config_.swagger_dir))
        spdlog::warn("Swagger UI files not found in {}: /docs will not render", config_.swagger_dir.string());
    if (!config_.web_dir.empty() && !files.mount("/", config_.web_dir))
        spdlog::warn("web page files not found in {}", config_.web_dir.string());
    transport_ = std::make_unique<HttpTransport>(transport_settings(config_), *this, std::move(files));
}

HttpServer::~HttpServer() {
    transport_.reset();  // finishes the requests in flight while the members they use still exist
}

bool HttpServer::bind() {
    return transport_->bind();
}

void HttpServer::listen() {
    transport_->listen();
}

bool HttpServer::running() const {
    return transport_->running();
}

void HttpServer::stop() {
    transport_->stop();
}

const RouteRule* HttpServer::route_for(const std::string& method, const std::string& path,
                                       std::vector<std::string>* path_params) const {
    if (path.empty() || path.front() != '/') return nullptr;
    // HEAD is GET without the body (the transport leaves it out), as httplib answered it.
    const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : std::string_view(method);
    const auto segments = split_path(path);
    for (const Route& route : routes_) {
        if (route.rule->method != wanted || route.segments.size() != segments.size()) continue;
        std::vector<std::string> params;
        bool match = true;
        for (size_t i = 0; i < segments.size() && match; ++i) {
            if (route.segments[i].starts_with('{'))
                match = !segments[i].empty(), params.push_back(segments[i]);
            else
                match = route.segments[i] == segments[i];
        }
        if (!match) continue;
        if (path_params) *path_params = std::move(params);
        return route.rule;
    }
    return nullptr;
}

const RouteRule* HttpServer::route_request(const std::string& method, const std::string& path,
                                           std::vector<std::string>* path_params, std::string* glued) const {
    if (const RouteRule* rule = route_for(method, path, path_params)) return rule;
    const size_t amp = path.find('&');
    if (amp == std::string::npos) return nullptr;
    const RouteRule* rule = route_for(method, path.substr(0, amp), path_params);
    if (!rule || !rule->flavor || !rule->flavor->lenient_query) return nullptr;
    if (glued) *glued = path.substr(amp + 1);
    return rule;
}

std::optional<HttpResponse> HttpServer::admit(const HttpRequest& head) {
    auto refused = [&](HttpResponse res) -> std::optional<HttpResponse> {
        spdlog::info("{} {} {} refused before the body ({})", head.method, head.path.substr(0, 200),
                     res.status, head.remote_addr);
        return res;
    };
    // A NUL or another control character in the (decoded) path or a header value: no route, file or
    // header of ours has one, and a NUL would cut the text short wherever it is used as a C string.
    // No route or file has a path anywhere near this long (the connection's 32 KB would allow ~30 KB).
    if (head.path.size() > kMaxPathLength) {
        HttpResponse res = refusal(ErrorCode::kBadRequest, "The request path is too long.");
        res.status = 414;  // not in the error table: only this check answers it
        return refused(std::move(res));
    }
    if (has_control_characters(head.path, false))
        return refused(refusal(ErrorCode::kBadRequest, "The path contains control characters."));
    for (const auto& [name, value] : head.headers)
        if (has_control_characters(name, false) || has_control_characters(value, true))
            return refused(refusal(ErrorCode::kBadRequest, "A header contains control characters."));
    const RouteRule* rule = route_request(head.method, head.path, nullptr, nullptr);
    if (auto framing =
            refuse_framing(head, config_.max_upload_bytes + 64 * 1024, rule ? rule->flavor : nullptr))
        return refused(std::move(*framing));
    if (!rule) return refused(refusal(ErrorCode::kNotFound, ""));
    return std::nullopt;
}

bool HttpServer::check_before_body(const HttpRequest& head) {
    if (!config_.auth_enabled) return false;
    const RouteRule* rule = route_request(head.method, head.path, nullptr, nullptr);
    return rule && !rule->is_public;
}

// The API key of a request with a body, before the body is read: a client without a valid key cannot make
// the server take (and hold, up to the upload limit) a body it will refuse. Checked again in handle() with
// the rest (roles, per-key rate limit, audit) once the body is in; a key revoked in between is refused then.
std::optional<HttpResponse> HttpServer::check(const HttpRequest& head) {
    const double start = monotonic_seconds();
    const RouteRule* rule = route_request(head.method, head.path, nullptr, nullptr);
    if (!rule || rule->is_public || !config_.auth_enabled) return std::nullopt;
    HttpResponse res;
    try {
        authenticate_limited(head, res);
        return std::nullopt;
    } catch (const Error& e) {
        const std::string route(rule->route);
        answer_error(e, head.method + " " + route, res, rule);
        metrics_.observe(head.method, route, res.status, monotonic_seconds() - start);
        spdlog::info("{} {} {} - refused before the body ({})", head.method, route, res.status,
                     head.remote_addr);
        return res;
    }
}

void HttpServer::serve(HttpRequest& request, HttpResponse& response) {
    std::string glued;
    const RouteRule* rule = route_request(request.method, request.path, &request.path_params, &glued);
    if (!rule) {  // admitted, so not expected
        response = refusal(ErrorCode::kNotFound, "");
        return;
    }
    if (rule->flavor && rule->flavor->lenient_query) add_glued_params(request, glued);
    handle(*rule, request, response);
}

void send_json(HttpResponse& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

FieldView RouteCall::view(const HttpRequest& req) const {
    FieldView view = field_view_for(caller_.role, config.searcher_fields);
    if (req.has_param("include")) {
        const std::string include = req.param("include");
        if (include.find("embeddings") != std::string::npos) {
            if (!may_read_embeddings())
                throw Error(ErrorCode::kForbidden, "Only an admin key may read embeddings.",
                            {{"include", "embeddings"}});
            view.embeddings = true;
        }
    }
    return view;
}

void RouteCall::audit_ids(nlohmann::json subject_ids, nlohmann::json result_ids) {
    subject_ids_ = std::move(subject_ids);
    result_ids_ = std::move(result_ids);
}

void RouteCall::audit_forced_mismatch(const std::string& person_id, const std::string& face_id) {
    server_.write_audit(caller_, "register.mismatch_forced", 201, nlohmann::json::array({person_id}),
                        nlohmann::json::array({face_id}));
}

void RouteCall::charge(int units) {
    if (config.auth_enabled && authenticated_ && units > 1)
        server_.rate_limiter_.debit(caller_.key_id, units - 1);
}

bool RouteCall::presents_valid_key(const HttpRequest& req) {
    const std::string address = "addr:" + req.remote_addr;
    if (presented_key(req).empty() || server_.auth_failures_.exhausted(address)) return false;
    try {
        server_.authenticate(req);
        return true;
    } catch (const Error&) {
        server_.auth_failures_.acquire(address);
        return false;
    }
}

std::string RouteCall::metrics_text(const std::vector<Metrics::Gauge>& extra) const {
    return server_.metrics_.render(extra);
}

void HttpServer::refuse_if_limited(RateLimiter& limiter, const std::string& key, HttpResponse& res) const {
    if (auto wait = limiter.acquire(key)) {
        const int seconds = std::max(1, int(std::ceil(*wait)));
        res.set_header("Retry-After", std::to_string(seconds));
        throw Error(ErrorCode::kRateLimited, "", {{"retry_after_seconds", seconds}});
    }
}

Caller HttpServer::authenticate(const HttpRequest& req) const {
    if (!config_.auth_enabled) return Caller{"local", "no-auth", Role::kAdmin};
    const std::string key = presented_key(req);
    if (key.empty())
        throw Error(ErrorCode::kUnauthorized, "An API key is required: send Authorization: Bearer KEY.",
                    {{"key", "missing"}});
    auto caller = services_.keys.authenticate(key);
    if (!caller)
        throw Error(ErrorCode::kUnauthorized, "The API key is unknown, revoked or malformed.",
                    {{"key", "unknown"}});
    return *caller;
}

Caller HttpServer::authenticate_limited(const HttpRequest& req, HttpResponse& res) {
    try {
        return authenticate(req);
    } catch (const Error& e) {
        // Failed authentication is limited per client address (guessing keys, or a client stuck on a
        // revoked one); other addresses and valid keys are not affected.
        if (e.info().http_status == 401) refuse_if_limited(auth_failures_, "addr:" + req.remote_addr, res);
        throw;
    }
}

void HttpServer::answer_error(const Error& e, const std::string& what, HttpResponse& res,
                              const RouteRule* rule) {
    const auto& info = e.info();
    if (info.http_status == 401) res.set_header("WWW-Authenticate", "Bearer");
    // Server-side failures carry file paths and library messages: those stay in the log.
    log_server_error(e, what);
    if (rule && rule->flavor && rule->flavor->render_error)
        rule->flavor->render_error(e, res);  // a family of routes with its own error shape (CompreFace)
    else
        send_json(res, info.http_status, error_json(e));
}

void HttpServer::write_audit(const Caller& caller, std::string_view action, int status,
                             nlohmann::json subject_ids, nlohmann::json result_ids) const {
    AuditEntry entry;
    entry.at_ms = now_ms();
    entry.key_id = caller.key_id;
    entry.key_name = caller.key_name;
    entry.role = std::string(role_name(caller.role));
    entry.action = std::string(action);
    entry.status = status;
    entry.subject_ids = std::move(subject_ids);
    entry.result_ids = std::move(result_ids);
    try {
        services_.audit.append(entry);
    } catch (const std::exception& e) {
        spdlog::error("audit log write failed for {} by {}: {}", entry.action, entry.key_id, e.what());
    }
}

void HttpServer::handle(const RouteRule& rule, const HttpRequest& req, HttpResponse& res) {
    const double start = monotonic_seconds();
    const std::string route(rule.route);
    RouteCall call(*this, services_, config_);
    try {
        if (!rule.is_public) {
            call.caller_ = authenticate_limited(req, res);
            call.authenticated_ = true;
            // Before the role check, so that refused calls (403, each an audit row) count as well.
            if (config_.auth_enabled) refuse_if_limited(rate_limiter_, call.caller_.key_id, res);
            if (!role_allowed(rule, call.caller_.role))
                throw Error(ErrorCode::kForbidden,
                            "The role " + std::string(role_name(call.caller_.role)) + " may not call " +
                                std::string(rule.method) + " " + route + ".",
                            {{"role", role_name(call.caller_.role)}});
        }
        rule.handler(call, req, res);
    } catch (const Error& e) {
        answer_error(e, req.method + " " + route, res, &rule);
    } catch (const std::exception& e) {
        // Internals stay in the log; the caller gets a generic message.
        spdlog::error("{} {}: unexpected error: {}", req.method, route, e.what());
        const auto& info = error_info(ErrorCode::kInternal);
        if (rule.flavor && rule.flavor->render_error)
            rule.flavor->render_error(Error(ErrorCode::kInternal), res);
        else
            send_json(
                res, 500,
                error_json(std::string(info.name), std::string(info.message), nlohmann::json::object()));
    }
    if (call.authenticated_ && !rule.audit_action.empty() && res.status != 429)
        write_audit(call.caller_, rule.audit_action, res.status, std::move(call.subject_ids_),
                    std::move(call.result_ids_));
    const double seconds = monotonic_seconds() - start;
    metrics_.observe(req.method, route, res.status, seconds);
    spdlog::info("{} {} {} {} {:.1f} ms", req.method, route, res.status,
                 call.authenticated_ ? call.caller_.key_id : "-", seconds * 1000);
}

}  // namespace faceid
