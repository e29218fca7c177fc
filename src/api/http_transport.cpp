#include "api/http_transport.h"

#include "api/lingering_close.h"
#include "api/memory_janitor.h"
#include "api/multipart_reader.h"
#include "api/worker_pool.h"
#include "core/error.h"
#include "schemas/record_json.h"

#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace faceid {
namespace {

using Clock = std::chrono::steady_clock;

// Where a connection is with its current request, and since when: for the header and body deadlines.
enum class Phase {
    kHeaders,   // waiting for a request's headers (since it opened, or since its previous answer)
    kBody,      // admitted, its body coming in
    kAnswering  // the handler runs, or the answer goes out: no deadline of ours
};

struct ConnectionClock {
    int fd = -1;
    Phase phase = Phase::kHeaders;
    Clock::time_point since = Clock::now();
    bool cut = false;  // already shut down by the watchdog
};

// One request, from its request line (the URI log callback) to its completion.
struct Exchange {
    std::string raw_uri;
    bool admitted = false;
    HttpRequest request;
    std::unique_ptr<MultipartReader> form;
    uint64_t received = 0;
    uint64_t reserved = 0;                // of the transport's body budget, by the declared Content-Length
    std::optional<HttpResponse> refusal;  // decided while the body came in, sent once it is in
    bool linger = false;                  // answered before its body was read: closed by the LingeringCloser
    // check() before the body: the connection is suspended from `checking` until the worker sets `checked`.
    bool checking = false;
    std::atomic<bool> checked{false};
    std::optional<HttpResponse> check_refusal;
    bool submitted = false;
    std::atomic<bool> answered{false};  // set by the worker before it resumes the connection
    HttpResponse response;
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoding; '+' is a space in query components only. A broken escape stays as it is.
std::string percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out += char(high * 16 + low);
                i += 2;
                continue;
            }
        }
        out += plus_is_space && text[i] == '+' ? ' ' : text[i];
    }
    return out;
}

// The raw request target (as sent, before libmicrohttpd's own decoding, which stops at a %00) into the
// decoded path and query parameters.
void parse_target(std::string_view target, HttpRequest& request) {
    const size_t question = target.find('?');
    request.path = percent_decode(target.substr(0, question), false);
    if (question == std::string_view::npos) return;
    std::string_view query = target.substr(question + 1);
    const size_t hash = query.find('#');
    if (hash != std::string_view::npos) query = query.substr(0, hash);
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const size_t equals = pair.find('=');
        request.query.emplace(
            percent_decode(pair.substr(0, equals), true),
            equals == std::string_view::npos ? std::string() : percent_decode(pair.substr(equals + 1), true));
    }
}

std::string client_address(MHD_Connection* connection) {
    const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr) return {};
    char text[INET6_ADDRSTRLEN] = {};
    const sockaddr* address = info->client_addr;
    if (address->sa_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
    else if (address->sa_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
    return text;
}

HttpResponse error_response(ErrorCode code, const std::string& message) {
    HttpResponse response;
    const auto& info = error_info(code);
    response.status = info.http_status;
    response.set_content(
        error_json(std::string(info.name), message.empty() ? std::string(info.message) : message,
                   nlohmann::json::object())
            .dump(),
        "application/json");
    return response;
}

ssize_t read_stream(void* cls, uint64_t position, char* out, size_t max) {
    auto* body = static_cast<StreamedBody*>(cls);
    if (position >= body->size) return MHD_CONTENT_READER_END_OF_STREAM;
    const auto got = body->read(position, out, size_t(std::min<uint64_t>(max, body->size - position)));
    // A failure or a short source closes the connection mid-body: the length was already sent.
    if (!got || *got == 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    return ssize_t(*got);
}

void free_stream(void* cls) {
    delete static_cast<StreamedBody*>(cls);
}

void free_string(void* cls) {
    delete static_cast<std::string*>(cls);
}

void log_from_mhd(void*, const char* format, va_list arguments) {
    char text[512];
    std::vsnprintf(text, sizeof text, format, arguments);
    std::string line(text);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    spdlog::info("http: {}", line);
}

}  // namespace

struct HttpTransport::Impl {
    Impl(TransportSettings s, HttpHandler& h, StaticFiles f)
        : settings(std::move(s)), handler(h), static_files(std::move(f)) {}

    TransportSettings settings;
    HttpHandler& handler;
    StaticFiles static_files;
    std::unique_ptr<WorkerPool> workers;
    MemoryJanitor janitor;
    LingeringCloser lingering{LingeringCloser::Limits{}};
    MHD_Daemon* daemon = nullptr;
    int listen_fd = -1;
    int port = 0;

    std::atomic<int> in_flight{0};      // requests handed to a worker and not yet completed
    std::atomic<uint64_t> buffered{0};  // body bytes reserved by admitted, not yet completed requests
    std::mutex stop_mutex;
    std::condition_variable stop_wake;
    bool stopping = false;
    bool stopped = false;

    // Every open connection, for the header deadline (the watchdog reads, the event loop writes).
    std::mutex clocks_mutex;
    std::unordered_set<ConnectionClock*> clocks;
    std::thread watchdog;

    // ---- libmicrohttpd callbacks (all on the event loop thread) ----

    static void* on_request_line(void* cls, const char* uri, MHD_Connection*) {
        static_cast<void>(cls);
        auto* exchange = new Exchange;
        exchange->raw_uri = uri ? uri : "";
        return exchange;
    }

    static void on_connection(void* cls, MHD_Connection* connection, void** socket_context,
                              enum MHD_ConnectionNotificationCode code) {
        auto* self = static_cast<Impl*>(cls);
        if (code == MHD_CONNECTION_NOTIFY_STARTED) {
            auto* clock = new ConnectionClock;
            const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
            clock->fd = info ? info->connect_fd : -1;
            std::lock_guard lock(self->clocks_mutex);
            self->clocks.insert(clock);
            *socket_context = clock;
            return;
        }
        // Closed: libmicrohttpd closes the socket only after this returns, so the watchdog (which shuts
        // sockets down under the same mutex) never touches a descriptor that was reused.
        auto* clock = static_cast<ConnectionClock*>(*socket_context);
        {
            std::lock_guard lock(self->clocks_mutex);
            self->clocks.erase(clock);
        }
        delete clock;
        *socket_context = nullptr;
        MemoryJanitor::note_freed();  // a header flood's memory is freed when its connection goes
    }

    static void on_completed(void* cls, MHD_Connection* connection, void** request_context,
                             enum MHD_RequestTerminationCode) {
        auto* self = static_cast<Impl*>(cls);
        auto* exchange = static_cast<Exchange*>(*request_context);
        if (exchange && exchange->linger) {
            // libmicrohttpd closes its descriptor after this; the duplicate keeps the socket open.
            const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
            if (info) self->lingering.hand_over(::fcntl(info->connect_fd, F_DUPFD_CLOEXEC, 0));
        }
        if (exchange && exchange->submitted) self->in_flight.fetch_sub(1);
        if (exchange) self->buffered.fetch_sub(exchange->reserved);
        delete exchange;
        *request_context = nullptr;
        self->mark(connection, Phase::kHeaders);
        MemoryJanitor::note_freed();
    }

    void mark(MHD_Connection* connection, Phase phase) {
        const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        if (!info || !info->socket_context) return;
        auto* clock = static_cast<ConnectionClock*>(info->socket_context);
        std::lock_guard lock(clocks_mutex);
        clock->phase = phase;
        clock->since = Clock::now();
    }

    static enum MHD_Result on_access(void* cls, MHD_Connection* connection, const char*, const char* method,
                                     const char* version, const char* upload, size_t* upload_size,
                                     void** request_context) {
        auto* self = static_cast<Impl*>(cls);
        auto* exchange = static_cast<Exchange*>(*request_context);
        if (!exchange) return MHD_NO;  // the URI log callback always makes one
        if (!exchange->admitted) return self->start(connection, method, version, *exchange);
        if (exchange->checking) {
            if (!exchange->checked.load()) return MHD_YES;  // woken before the worker is done: keep waiting
            exchange->checking = false;
            if (exchange->check_refusal)
                return self->refuse_before_body(connection, *exchange, std::move(*exchange->check_refusal));
            self->mark(connection, Phase::kBody);
            // libmicrohttpd calls again from where the check began, before the body, with nothing to take.
            if (*upload_size == 0) return MHD_YES;
        }
        if (*upload_size > 0) {
            self->take_body(*exchange, upload, *upload_size);
            *upload_size = 0;
            return MHD_YES;
        }
        if (exchange->answered.load()) return self->send(connection, std::move(exchange->response), false);
        if (exchange->submitted) return MHD_YES;  // woken without an answer: keep waiting
        if (exchange->refusal) return self->send(connection, std::move(*exchange->refusal), true);
        return self->dispatch(connection, *exchange);
    }

    // ---- one request ----

    // Headers are in: build the request head, serve a static file or ask the handler to admit it.
    enum MHD_Result start(MHD_Connection* connection, const char* method, const char* version,
                          Exchange& exchange) {
        exchange.admitted = true;
        mark(connection, Phase::kAnswering);
        HttpRequest& request = exchange.request;
        request.method = method ? method : "";
        parse_target(exchange.raw_uri, request);
        MHD_get_connection_values_n(
            connection, MHD_HEADER_KIND,
            [](void* cls, enum MHD_ValueKind, const char* key, size_t key_size, const char* value,
               size_t value_size) {
                static_cast<HttpHeaders*>(cls)->emplace(
                    std::string(key, key_size), std::string(value ? value : "", value ? value_size : 0));
                return MHD_YES;
            },
            &request.headers);
        request.remote_addr = client_address(connection);
        // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without Host (libmicrohttpd serves
        // it unless in its strict mode, which would answer with its own HTML page).
        if (version && std::strcmp(version, MHD_HTTP_VERSION_1_1) == 0 && !request.has_header("Host"))
            return refuse_before_body(
                connection, exchange,
                error_response(ErrorCode::kBadRequest, "An HTTP/1.1 request needs a Host header."));

        if (request.method == "GET" || request.method == "HEAD")
            if (auto file = static_files.find(request.path)) return send_file(connection, *file);
        if (auto refusal = handler.admit(request))
            return refuse_before_body(connection, exchange, std::move(*refusal));
        // Already too much waiting, or too many bodies held at once: say so now rather than after
        // reading the body. handler.admit() has checked that a Content-Length is a plain number.
        if (workers->full()) return refuse_before_body(connection, exchange, busy(request));
        // A chunked body (admitted only for rows that accept one) counts as a maximal upload.
        const uint64_t declared =
            request.has_header("Transfer-Encoding") && !request.has_header("Content-Length")
                ? settings.max_body_bytes
                : std::strtoull(request.header("Content-Length").c_str(), nullptr, 10);
        const uint64_t budget = std::max(settings.max_body_bytes, settings.max_buffered_body_bytes);
        if (buffered.fetch_add(declared) + declared > budget) {
            buffered.fetch_sub(declared);
            return refuse_before_body(connection, exchange, busy(request));
        }
        exchange.reserved = declared;
        const std::string type = request.header("Content-Type");
        if (type.size() >= 19 && strncasecmp(type.c_str(), "multipart/form-data", 19) == 0) {
            request.multipart = true;
            exchange.form = std::make_unique<MultipartReader>(connection, settings.max_form_parts);
            if (!exchange.form->valid())
                return refuse_before_body(
                    connection, exchange,
                    error_response(ErrorCode::kBadRequest, "The multipart/form-data boundary is missing."));
        }
        if (declared > 0 && handler.check_before_body(request)) return check_first(connection, exchange);
        mark(connection, Phase::kBody);
        return MHD_YES;
    }

    // An answer before the body: the connection closes after it, lingering if a body may be on its way.
    enum MHD_Result refuse_before_body(MHD_Connection* connection, Exchange& exchange,
                                       HttpResponse&& response) {
        const HttpRequest& request = exchange.request;
        exchange.linger = request.has_header("Transfer-Encoding") ||
                          (request.has_header("Content-Length") && request.header("Content-Length") != "0");
        return send(connection, std::move(response), true);
    }

    // handler.check() on a worker before the body is read. The connection is suspended meanwhile, so
    // libmicrohttpd reads nothing more from it (what came with the headers stays in its 32 KB buffer); on
    // resumption it calls on_access() again, still before the body, which answers or lets the body come.
    enum MHD_Result check_first(MHD_Connection* connection, Exchange& exchange) {
        exchange.checking = true;
        on_worker(
            connection, exchange, "before the body", exchange.checked,
            [this, &exchange] { exchange.check_refusal = handler.check(exchange.request); },
            [&exchange](HttpResponse refusal) { exchange.check_refusal = std::move(refusal); });
        return MHD_YES;
    }

    // Runs `work` on a worker while the connection is suspended, then sets `done` and resumes the
    // connection, whose on_access() reads the outcome. `answer` takes the answer `work` could not give: a
    // 500 for an exception, or a 503 (given here) when every worker is busy and the queue full.
    template <typename Work, typename Answer>
    void on_worker(MHD_Connection* connection, Exchange& exchange, const char* stage, std::atomic<bool>& done,
                   Work work, Answer answer) {
        // Only this thread submits, so the connection can be suspended before the task exists (a worker
        // must never resume a connection that is not suspended yet) and a busy refusal still comes first.
        MHD_suspend_connection(connection);
        const bool queued = workers->try_submit([connection, &exchange, stage, &done, work, answer] {
            try {
                work();
            } catch (const std::exception& e) {
                spdlog::error("{} {}: unexpected error {}: {}", exchange.request.method,
                              exchange.request.path, stage, e.what());
                answer(error_response(ErrorCode::kInternal, ""));
            }
            done.store(true);
            MHD_resume_connection(connection);  // the last touch of the exchange on the worker's thread
        });
        if (!queued) {
            answer(busy(exchange.request));
            done.store(true);
            MHD_resume_connection(connection);
        }
    }

    void take_body(Exchange& exchange, const char* data, size_t size) {
        if (exchange.refusal) return;  // the rest of a refused body is read and dropped
        exchange.received += size;
        if (exchange.received > settings.max_body_bytes) {
            exchange.refusal = error_response(ErrorCode::kPayloadTooLarge, "");
            exchange.request.body.clear();
            exchange.form.reset();
            return;
        }
        if (exchange.form) {
            if (!exchange.form->feed(data, size)) {
                exchange.refusal = error_response(ErrorCode::kBadRequest, exchange.form->error());
                exchange.form.reset();
            }
            return;
        }
        // The declared length at once (within the upload limit and counted in the body budget): growing by
        // doubling would hold up to twice the body, and copies of it, at times.
        if (exchange.request.body.empty()) exchange.request.body.reserve(size_t(exchange.reserved));
        exchange.request.body.append(data, size);
    }

    // The whole body is in: hand the request to a worker, the connection suspended until it answers.
    enum MHD_Result dispatch(MHD_Connection* connection, Exchange& exchange) {
        if (exchange.form) {
            if (!exchange.form->finish())
                return send(connection, error_response(ErrorCode::kBadRequest, exchange.form->error()), true);
            exchange.request.parts = exchange.form->take_parts();
            exchange.form.reset();
        }
        mark(connection, Phase::kAnswering);
        exchange.submitted = true;
        in_flight.fetch_add(1);
        on_worker(
            connection, exchange, "while serving", exchange.answered,
            [this, &exchange] { handler.serve(exchange.request, exchange.response); },
            [&exchange](HttpResponse response) { exchange.response = std::move(response); });
        return MHD_YES;
    }

    static HttpResponse busy(const HttpRequest& request) {
        spdlog::warn("{} {} from {}: 503, every worker busy and the queue full", request.method, request.path,
                     request.remote_addr);
        HttpResponse response =
            error_response(ErrorCode::kUnavailable, "The server is busy; retry in a moment.");
        response.set_header("Retry-After", "1");
        return response;
    }

    enum MHD_Result send(MHD_Connection* connection, HttpResponse&& in, bool close) {
        MHD_Response* response = nullptr;
        if (in.stream) {
            const uint64_t size = in.stream->size;
            response = MHD_create_response_from_callback(
                size, 64 * 1024, read_stream, new StreamedBody(std::move(*in.stream)), free_stream);
        } else {
            auto* body = new std::string(std::move(in.body));
            response = MHD_create_response_from_buffer_with_free_callback_cls(body->size(), body->data(),
                                                                              free_string, body);
        }
        if (!response) return MHD_NO;
        if (!in.content_type.empty())
            MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, in.content_type.c_str());
        for (const auto& [name, value] : in.headers)
            MHD_add_response_header(response, name.c_str(), value.c_str());
        add_default_headers(response);
        // A refusal leaves the body unread: it must not be parsed as the next request.
        if (close) MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
        const auto result = MHD_queue_response(connection, unsigned(in.status), response);
        MHD_destroy_response(response);
        return result;
    }

    enum MHD_Result send_file(MHD_Connection* connection, const StaticFile& file) {
        const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return send(connection, error_response(ErrorCode::kNotFound, ""), false);
        MHD_Response* response = MHD_create_response_from_fd(size_t(file.size), fd);  // owns fd now
        if (!response) {
            ::close(fd);
            return MHD_NO;
        }
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, file.content_type.c_str());
        add_default_headers(response);
        const auto result = MHD_queue_response(connection, MHD_HTTP_OK, response);
        MHD_destroy_response(response);
        return result;
    }

    void add_default_headers(MHD_Response* response) {
        for (const auto& [name, value] : settings.default_headers)
            MHD_add_response_header(response, name.c_str(), value.c_str());
    }

    // ---- the header and body deadlines ----

    // libmicrohttpd's timeout is per silence: a client sending a header line (or a body byte) every few
    // seconds would hold its connection for ever. Once a second, connections that have waited longer than
    // the header timeout for a request's headers (since they opened, or since their last answer), or longer
    // than the body timeout for an admitted request's body, are shut down; the event loop then sees the end
    // of the stream and closes them.
    void watch_deadlines() {
        std::unique_lock stop_lock(stop_mutex);
        while (!stopped) {
            stop_wake.wait_for(stop_lock, std::chrono::seconds(1));
            const auto now = Clock::now();
            const auto headers_limit = now - std::chrono::seconds(settings.header_timeout_seconds);
            const auto body_limit = now - std::chrono::seconds(settings.body_timeout_seconds);
            std::lock_guard lock(clocks_mutex);
            for (ConnectionClock* clock : clocks) {
                const bool late = (clock->phase == Phase::kHeaders && clock->since < headers_limit) ||
                                  (clock->phase == Phase::kBody && clock->since < body_limit);
                if (!late || clock->cut || clock->fd < 0) continue;
                ::shutdown(clock->fd, SHUT_RDWR);
                clock->cut = true;
            }
        }
    }

    void stop_daemon() {
        {
            std::lock_guard lock(stop_mutex);
            if (stopped) return;
            stopped = true;
            stopping = true;
        }
        stop_wake.notify_all();
        if (watchdog.joinable()) watchdog.join();
        if (!daemon) return;
        // No new connections; the workers finish what they hold (each resumes its connection), and the
        // answers get a moment to go out before the daemon closes everything.
        const int listener = MHD_quiesce_daemon(daemon);
        workers->shutdown();
        const auto deadline = Clock::now() + std::chrono::seconds(10);
        while (in_flight.load() > 0 && Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        MHD_stop_daemon(daemon);
        daemon = nullptr;
        if (listener >= 0) ::close(listener);
    }
};

HttpTransport::HttpTransport(TransportSettings settings, HttpHandler& handler, StaticFiles static_files)
    : impl_(std::make_unique<Impl>(std::move(settings), handler, std::move(static_files))) {
    cap_malloc_arenas();
    if (impl_->settings.tls_cert_pem.empty() != impl_->settings.tls_key_pem.empty())
        throw Error(ErrorCode::kInvalidField, "TLS needs both a certificate and its key");
}

HttpTransport::~HttpTransport() {
    impl_->stop_daemon();
}

bool HttpTransport::bind() {
    Impl& d = *impl_;
    // Enough descriptors for the connection limit (the soft limit is often 1,024).
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, rlim_t(d.settings.max_connections) + 256);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(d.settings.port);
    if (::getaddrinfo(d.settings.host.c_str(), service.c_str(), &hints, &found) != 0) return false;
    int family = AF_INET;
    for (addrinfo* a = found; a && d.listen_fd < 0; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) continue;
        // SO_REUSEADDR only: a restart may bind while old connections linger, but SO_REUSEPORT would let a
        // second server bind the same port and take half of the connections.
        int yes = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
            d.listen_fd = fd;
            family = a->ai_family;
        } else {
            ::close(fd);
        }
    }
    ::freeaddrinfo(found);
    if (d.listen_fd < 0) return false;
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    ::getsockname(d.listen_fd, reinterpret_cast<sockaddr*>(&bound), &length);
    d.port = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

    d.workers = std::make_unique<WorkerPool>(std::max<size_t>(1, d.settings.worker_threads),
                                             d.settings.queue_capacity);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (family == AF_INET6) flags |= MHD_USE_IPv6;
    const bool tls = !d.settings.tls_cert_pem.empty();
    if (tls) flags |= MHD_USE_TLS;
    MHD_OptionItem tls_options[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0,
         const_cast<char*>(d.settings.tls_cert_pem.c_str())},
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0,
         const_cast<char*>(d.settings.tls_key_pem.c_str())},
        {MHD_OPTION_END, 0, nullptr},
    };
    d.daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &Impl::on_access, &d,                        //
                                MHD_OPTION_EXTERNAL_LOGGER, &log_from_mhd, nullptr,                      //
                                MHD_OPTION_LISTEN_SOCKET, d.listen_fd,                                   //
                                MHD_OPTION_CONNECTION_LIMIT, d.settings.max_connections,                 //
                                MHD_OPTION_PER_IP_CONNECTION_LIMIT, d.settings.connections_per_address,  //
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, d.settings.connection_memory_bytes,  //
                                MHD_OPTION_CONNECTION_TIMEOUT, d.settings.idle_timeout_seconds,          //
                                MHD_OPTION_URI_LOG_CALLBACK, &Impl::on_request_line, &d,                 //
                                MHD_OPTION_NOTIFY_CONNECTION, &Impl::on_connection, &d,                  //
                                MHD_OPTION_NOTIFY_COMPLETED, &Impl::on_completed, &d,                    //
                                MHD_OPTION_ARRAY, tls_options,                                           //
                                MHD_OPTION_END);
    if (!d.daemon) {
        ::close(d.listen_fd);
        d.listen_fd = -1;
        d.workers.reset();
        throw Error(ErrorCode::kInvalidField,
                    tls ? "cannot start HTTPS: the TLS certificate or its key is not "
                          "usable PEM"
                        : "cannot start the HTTP server");
    }
    d.watchdog = std::thread([&d] { d.watch_deadlines(); });
    return true;
}

int HttpTransport::port() const {
    return impl_->port;
}

void HttpTransport::listen() {
    {
        std::unique_lock lock(impl_->stop_mutex);
        impl_->stop_wake.wait(lock, [&] { return impl_->stopping; });
    }
    impl_->stop_daemon();
}

void HttpTransport::stop() {
    {
        std::lock_guard lock(impl_->stop_mutex);
        impl_->stopping = true;
    }
    impl_->stop_wake.notify_all();
}

bool HttpTransport::running() const {
    std::lock_guard lock(impl_->stop_mutex);
    return impl_->daemon != nullptr && !impl_->stopping;
}

}  // namespace faceid
