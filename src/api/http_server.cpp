#include "api/http_server.h"

#include "core/clock.h"
#include "core/error.h"

#include <spdlog/spdlog.h>

#include <httplib.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

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

// The documented pattern as httplib's regular expression: each {name} matches one path segment.
std::string route_regex(std::string_view route) {
    std::string out;
    for (size_t i = 0; i < route.size(); ++i) {
        if (route[i] == '{') {
            const size_t close = route.find('}', i);
            if (close == std::string_view::npos)
                throw Error(ErrorCode::kInternal, "route " + std::string(route) + " has an unclosed {");
            out += "([^/]+)";
            i = close;
        } else {
            if (std::string_view(".[]()*+?^$|\\").find(route[i]) != std::string_view::npos) out += '\\';
            out += route[i];
        }
    }
    return out;
}

// The transport-neutral request of a handler. The body and the file parts are moved out of httplib's
// request: httplib reads nothing of them after the handler (it writes the response from `res`), and a
// photo is not copied twice. The request object is httplib's own non-const local; the handler signature
// just passes it as const.
HttpRequest to_http_request(const httplib::Request& in) {
    auto& req = const_cast<httplib::Request&>(in);
    HttpRequest out;
    out.method = req.method;
    out.path = req.path;
    for (size_t i = 1; i < req.matches.size(); ++i) out.path_params.push_back(req.matches[i].str());
    for (const auto& [name, value] : req.params) out.query.emplace(name, value);
    for (const auto& [name, value] : req.headers) out.headers.emplace(name, value);
    out.multipart = req.is_multipart_form_data();
    out.body = std::move(req.body);
    for (auto& [name, file] : req.files)
        out.parts.emplace(name, FormPart{std::move(file.content), file.filename, file.content_type});
    out.remote_addr = req.remote_addr;
    return out;
}

void write_response(HttpResponse&& in, httplib::Response& res) {
    res.status = in.status;
    for (auto& [name, value] : in.headers) res.set_header(name.c_str(), value);
    if (in.stream) {
        auto source = std::make_shared<StreamedBody>(std::move(*in.stream));
        res.set_content_provider(
            source->size, in.content_type.empty() ? "application/octet-stream" : in.content_type.c_str(),
            [source](size_t offset, size_t length, httplib::DataSink& sink) {
                std::string buffer(std::min<size_t>(length, 256 * 1024), '\0');
                const auto got = source->read(offset, buffer.data(), buffer.size());
                if (!got || *got == 0) return false;  // failed or short: close the connection
                return sink.write(buffer.data(), *got);
            });
        return;
    }
    if (!in.content_type.empty() || !in.body.empty())
        res.set_content(std::move(in.body), in.content_type.empty() ? "text/plain" : in.content_type.c_str());
}

// Body framing that httplib 0.11 would read badly, refused before the body is read (the pre-routing handler
// runs after the headers and before read_content; issue 12):
// - Transfer-Encoding (chunked): httplib reads a chunked body whole into memory, with no size limit and
//   before authentication. Our clients all send Content-Length: 411.
// - Content-Length with Transfer-Encoding (RFC 9112 section 6.1, request smuggling), several differing
//   Content-Length values, or one that is not a plain decimal number that fits (-1, 2^64, "abc"): 400.
//   httplib parses -1 and 2^64 as huge lengths and holds the thread skipping them until the read timeout.
// The connection is closed after the answer: the unread body must not be parsed as the next request.
std::optional<httplib::Server::HandlerResponse> refuse_framing(const httplib::Request& req,
                                                               httplib::Response& res) {
    const auto refuse = [&](int status, const char* name, const std::string& message) {
        res.status = status;
        res.set_header("Connection", "close");
        // httplib 0.11 keeps the connection open whatever the response says (a handler cannot set its
        // connection_closed), and would then parse the unread body as the next request. A content provider
        // that writes the whole answer and then reports failure makes it close the connection after it.
        auto body = std::make_shared<std::string>(error_json(name, message, nlohmann::json::object()).dump());
        res.set_content_provider(
            body->size(), "application/json", [body](size_t offset, size_t length, httplib::DataSink& sink) {
                sink.write(body->data() + offset, std::min(length, body->size() - offset));
                return false;  // close the connection
            });
        return httplib::Server::HandlerResponse::Handled;
    };
    const bool has_length = req.has_header("Content-Length");
    if (req.has_header("Transfer-Encoding")) {
        if (has_length)
            return refuse(400, "bad_request",
                          "A request may not carry both Content-Length and Transfer-Encoding.");
        return refuse(411, "length_required",
                      "Request bodies must be sent with a Content-Length, not with Transfer-Encoding.");
    }
    if (!has_length) return std::nullopt;
    const std::string first = req.get_header_value("Content-Length");
    const auto digits_only = [](const std::string& value) {
        // 18 digits at most: below 2^63, and far beyond any upload limit.
        return !value.empty() && value.size() <= 18 &&
               std::all_of(value.begin(), value.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
    };
    const auto count = req.get_header_value_count("Content-Length");
    for (size_t i = 0; i < count; ++i) {
        const std::string value = req.get_header_value("Content-Length", i);
        if (!digits_only(value))
            return refuse(400, "bad_request", "The Content-Length is not a valid length.");
        if (value != first)
            return refuse(400, "bad_request", "The request has conflicting Content-Length values.");
    }
    return std::nullopt;
}

// Freed memory goes back to the system within a second of a response or a connection's end (a janitor
// thread trims at most once a second, and only after requests). glibc keeps what a thread freed in that
// thread's arena: a request with 200 MiB of header lines (httplib stores them all; no hook bounds their
// number) left RSS at +306 MiB after its connection closed, and neither MALLOC_ARENA_MAX=2 nor a lower
// M_TRIM_THRESHOLD changed that; malloc_trim(0) gave it all back.
std::atomic<bool> memory_freed{false};

// httplib's thread pool, noting each connection's end (the header flood's memory is freed only then).
class TrimmingThreadPool : public httplib::TaskQueue {
  public:
    explicit TrimmingThreadPool(size_t threads) : pool_(threads), janitor_([this] { trim_loop(); }) {}
    ~TrimmingThreadPool() override { stop_janitor(); }
    void enqueue(std::function<void()> fn) override {
        pool_.enqueue([fn = std::move(fn)] {
            fn();
            memory_freed.store(true, std::memory_order_relaxed);
        });
    }
    void shutdown() override {
        pool_.shutdown();
        stop_janitor();
    }

  private:
    void trim_loop() {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            wake_.wait_for(lock, std::chrono::seconds(1));
            if (memory_freed.exchange(false, std::memory_order_relaxed)) ::malloc_trim(0);
        }
    }
    void stop_janitor() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (janitor_.joinable()) janitor_.join();
    }
    httplib::ThreadPool pool_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread janitor_;
};

// Steady load (4 clients searching for 10 minutes) grew RSS from 130 to ~400 MiB with glibc's default of
// 8 arenas per core, each HTTP and pipeline thread keeping its own: about half that with 2 arenas, at the
// same throughput. An operator's MALLOC_ARENA_MAX or GLIBC_TUNABLES still wins.
void cap_malloc_arenas() {
    if (std::getenv("MALLOC_ARENA_MAX") || std::getenv("GLIBC_TUNABLES")) return;
    ::mallopt(M_ARENA_MAX, int(std::max(2u, std::thread::hardware_concurrency())));
}

std::unique_ptr<httplib::Server> make_server(const ApiConfig& config) {
    if (config.tls_cert.empty() && config.tls_key.empty()) return std::make_unique<httplib::Server>();
    if (config.tls_cert.empty() || config.tls_key.empty())
        throw Error(ErrorCode::kInvalidField, "TLS needs both --tls-cert and --tls-key");
    auto server = std::make_unique<httplib::SSLServer>(config.tls_cert.c_str(), config.tls_key.c_str());
    if (!server->is_valid())
        throw Error(ErrorCode::kInvalidField, "cannot load the TLS certificate " + config.tls_cert.string() +
                                                  " or its key " + config.tls_key.string());
    return server;
}

}  // namespace

HttpServer::HttpServer(ApiServices services, ApiConfig config)
    : services_(services),
      config_(std::move(config)),
      server_(make_server(config_)),
      rate_limiter_(config_.rate_limit),
      auth_failures_(config_.rate_limit.per_second > 0 ? kAuthFailureLimit : RateLimit{}) {
    tls_ = !config_.tls_cert.empty();
    cap_malloc_arenas();
    const int threads = std::max(2, config_.http_threads);
    server_->new_task_queue = [threads] { return new TrimmingThreadPool(size_t(threads)); };
    // The body limit leaves room for multipart framing and the other fields around a maximal photo.
    server_->set_payload_max_length(config_.max_upload_bytes + 64 * 1024);
    server_->set_read_timeout(config_.read_timeout_seconds, 0);
    server_->set_write_timeout(config_.write_timeout_seconds, 0);
    server_->set_keep_alive_max_count(1000);
    // httplib's default sets SO_REUSEPORT too, which lets a second server bind the same port and take half
    // of the connections: keep only SO_REUSEADDR (a restart may bind while old connections linger).
    server_->set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });

    // On every response, the static page's and the API's alike. The page shows photos through blob: URLs
    // and Swagger UI sets inline styles; no inline scripts anywhere.
    server_->set_default_headers({
        {"Content-Security-Policy",
         "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self' "
         "'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
         "form-action 'self'; frame-ancestors 'none'"},
        {"X-Frame-Options", "DENY"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
    });

    // Runs before httplib reads the body or looks up a route or a static file.
    server_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        // A NUL or another control character in the (decoded) path: the file lookup stops at a NUL while the
        // content type comes from the text after it. No route or file has one.
        for (const unsigned char c : req.path) {
            if (c < 0x20 || c == 0x7F) {
                res.status = 400;
                const auto& info = error_info(ErrorCode::kBadRequest);
                res.set_content(error_json(std::string(info.name), "The path contains control characters.",
                                           nlohmann::json::object())
                                    .dump(),
                                "application/json");
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        if (const auto refusal = refuse_framing(req, res)) return *refusal;
        // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 section 6.3);
        // httplib 0.11 instead reads a POST, PATCH or DELETE without them until the client closes, and
        // answers 400 at the read timeout (e.g. `curl -X POST .../admin/cleanup?dry_run=true`). The request
        // object is httplib's own non-const local; this handler's signature just passes it as const.
        if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding"))
            const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
        return httplib::Server::HandlerResponse::Unhandled;
    });

    server_->set_logger([](const httplib::Request&, const httplib::Response&) {
        memory_freed.store(true, std::memory_order_relaxed);
    });

    // Errors httplib raises itself (unknown route, body too large, bad request line) get our JSON form.
    server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty() || res.content_provider_) return;
        ErrorCode code = ErrorCode::kBadRequest;
        if (res.status == 404) code = ErrorCode::kNotFound;
        if (res.status == 405) code = ErrorCode::kBadRequest;
        if (res.status == 413) code = ErrorCode::kPayloadTooLarge;
        if (res.status >= 500) code = ErrorCode::kInternal;
        const auto& info = error_info(code);
        res.set_content(
            error_json(std::string(info.name), std::string(info.message), nlohmann::json::object()).dump(),
            "application/json");
    });

    // Every row of the route tables, and nothing else: a route cannot exist without its access rule.
    std::set<std::pair<std::string_view, std::string_view>> seen;
    for (const RouteRule& rule : route_rules()) {
        if (!rule.handler || !seen.emplace(rule.method, rule.route).second)
            throw Error(ErrorCode::kInternal,
                        "route " + std::string(rule.method) + " " + std::string(rule.route) +
                            (rule.handler ? " is in the route tables twice" : " has no handler"));
        add(rule);
    }

    // The static files: public, served by httplib before routing.
    if (!config_.swagger_dir.empty() &&
        !server_->set_mount_point("/docs/assets", config_.swagger_dir.string()))
        spdlog::warn("Swagger UI files not found in {}: /docs will not render", config_.swagger_dir.string());
    if (!config_.web_dir.empty() && !server_->set_mount_point("/", config_.web_dir.string()))
        spdlog::warn("web page files not found in {}", config_.web_dir.string());
}

HttpServer::~HttpServer() {
    stop();
}

bool HttpServer::bind() {
    if (config_.port == 0) {
        port_ = server_->bind_to_any_port(config_.host);
        return port_ > 0;
    }
    if (!server_->bind_to_port(config_.host, config_.port)) return false;
    port_ = config_.port;
    return true;
}

void HttpServer::listen() {
    server_->listen_after_bind();
}

bool HttpServer::running() const {
    return server_->is_running();
}

void HttpServer::stop() {
    if (server_->is_running()) server_->stop();
}

void send_json(HttpResponse& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void send_blob(HttpResponse& res, PhotoStore& photos, const std::string& key) {
    auto bytes = photos.get(key);
    if (!bytes) throw Error(ErrorCode::kNotFound, "The photo file is missing.");
    std::string type = "application/octet-stream";
    if (key.ends_with(".jpg")) type = "image/jpeg";
    if (key.ends_with(".png")) type = "image/png";
    if (key.ends_with(".webp")) type = "image/webp";
    if (key.ends_with(".bmp")) type = "image/bmp";
    res.set_header("Cache-Control", "private, max-age=86400");  // content-addressed: never changes
    res.set_content(std::move(*bytes), type);
}

FieldView RouteCall::view(const HttpRequest& req) const {
    FieldView view = field_view_for(caller_.role, config.searcher_fields);
    if (req.has_param("include")) {
        const std::string include = req.param("include");
        if (include.find("embeddings") != std::string::npos) {
            if (caller_.role != Role::kAdmin)
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
        throw Error(ErrorCode::kUnauthorized, "An API key is required: send Authorization: Bearer KEY.");
    auto caller = services_.keys.authenticate(key);
    if (!caller) throw Error(ErrorCode::kUnauthorized, "The API key is unknown, revoked or malformed.");
    return *caller;
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

void HttpServer::add(const RouteRule& rule) {
    auto wrapped = [this, &rule](const httplib::Request& in, httplib::Response& out) {
        const HttpRequest req = to_http_request(in);
        HttpResponse res;
        handle(rule, req, res);
        write_response(std::move(res), out);
    };
    const std::string pattern = route_regex(rule.route);
    if (rule.method == "GET")
        server_->Get(pattern, wrapped);
    else if (rule.method == "POST")
        server_->Post(pattern, wrapped);
    else if (rule.method == "PATCH")
        server_->Patch(pattern, wrapped);
    else if (rule.method == "DELETE")
        server_->Delete(pattern, wrapped);
    else
        throw Error(ErrorCode::kInternal, "route " + std::string(rule.route) + " has the unknown method " +
                                              std::string(rule.method));
}

void HttpServer::handle(const RouteRule& rule, const HttpRequest& req, HttpResponse& res) {
    const double start = monotonic_seconds();
    const std::string route(rule.route);
    RouteCall call(*this, services_, config_);
    try {
        if (!rule.is_public) {
            try {
                call.caller_ = authenticate(req);
            } catch (const Error& e) {
                // Failed authentication is limited per client address (guessing keys, or a client stuck
                // on a revoked one); other addresses and valid keys are not affected.
                if (e.info().http_status == 401)
                    refuse_if_limited(auth_failures_, "addr:" + req.remote_addr, res);
                throw;
            }
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
        const auto& info = e.info();
        if (info.http_status == 401) res.set_header("WWW-Authenticate", "Bearer");
        // Server-side failures carry file paths and library messages: those stay in the log.
        log_server_error(e, req.method + " " + route);
        send_json(res, info.http_status, error_json(e));
    } catch (const std::exception& e) {
        // Internals stay in the log; the caller gets a generic message.
        spdlog::error("{} {}: unexpected error: {}", req.method, route, e.what());
        const auto& info = error_info(ErrorCode::kInternal);
        send_json(res, 500,
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
