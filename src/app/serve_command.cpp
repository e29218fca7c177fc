#include "app/serve_command.h"

#include "api/access_policy.h"
#include "api/http_server.h"
#include "app/background_jobs.h"
#include "app/command_setup.h"
#include "app/config.h"
#include "app/data_folder_lock.h"
#include "app/gallery_storage.h"
#include "app/settings.h"
#include "core/clock.h"
#include "core/error.h"

#include <cblas.h>
#include <spdlog/spdlog.h>
#include <opencv2/core.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

namespace faceid::app {
namespace {

int shutdown_pipe[2] = {-1, -1};

void on_shutdown_signal(int signal) {
    const unsigned char byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] auto written = ::write(shutdown_pipe[1], &byte, 1);
}

void install_shutdown_signals() {
    if (::pipe(shutdown_pipe) != 0) throw Error(ErrorCode::kInternal, "cannot create the shutdown pipe");
    struct sigaction action {};
    action.sa_handler = on_shutdown_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

// The signal number, or 0 when woken by wake_shutdown_waiter().
int wait_for_shutdown_signal() {
    unsigned char byte = 0;
    while (::read(shutdown_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    return byte;
}

void wake_shutdown_waiter() {
    on_shutdown_signal(0);
}

// True when the host resolves and every address it resolves to is loopback (127.0.0.0/8, ::1 or an
// IPv4-mapped 127.x); a name like 127.0.0.1.example.com may resolve anywhere, so the text is not enough.
bool is_loopback(const std::string& host, std::string& why) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
        why = std::string("it does not resolve (") + ::gai_strerror(rc) + ")";
        return false;
    }
    bool all_loopback = found != nullptr;
    for (const addrinfo* a = found; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN] = "?";
        bool loopback = false;
        if (a->ai_family == AF_INET) {
            const auto& addr = reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr;
            loopback = (ntohl(addr.s_addr) >> 24) == 127;
            ::inet_ntop(AF_INET, &addr, text, sizeof text);
        } else if (a->ai_family == AF_INET6) {
            const auto& addr = reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr;
            loopback =
                IN6_IS_ADDR_LOOPBACK(&addr) || (IN6_IS_ADDR_V4MAPPED(&addr) && addr.s6_addr[12] == 127);
            ::inet_ntop(AF_INET6, &addr, text, sizeof text);
        }
        if (!loopback) {
            why = std::string("it resolves to ") + text;
            all_loopback = false;
            break;
        }
    }
    ::freeaddrinfo(found);
    return all_loopback;
}

int run_serve(const SettingFlags& flags) {
    const AppConfig config = resolve_config(flags.config_file, &flags).config;
    if (std::string why; !config.auth && !is_loopback(config.host, why))
        throw Error(
            ErrorCode::kInvalidField,
            "--no-auth is only allowed when listening on loopback (127.0.0.1, ::1, localhost), not on " +
                config.host + ": " + why);

    // One writer per SQLite data folder (not for ClickHouse, whose replicas share a photo folder).
    const auto folder_lock = lock_data_folder(
        config, "serve",
        "stop it first, or import through it with faceid import --url, or use another --data");

    // SIGINT/SIGTERM only write a byte to a pipe; a waiter thread reads it and stops the server, so that
    // shutdown runs as ordinary code: stop accepting, finish requests in flight, close storage. (A handler
    // rather than sigwait: libraries start threads before main, and any of them may receive the signal.)
    install_shutdown_signals();

    const ModelFiles models = resolve_models(config.models_dir);
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int workers = config.workers > 0 ? config.workers : cores;
    // Each request runs its inference and index scan on one thread; parallelism comes from concurrent
    // requests (two BLAS threads per request fight each other under load, as bench_index showed).
    cv::setNumThreads(1);
    openblas_set_num_threads(1);
    PipelinePool pipelines(models, pipeline_options(config), workers);

    // Storage: the embedded SQLite file, or a ClickHouse server shared with other replicas, which then also
    // share the photo folder (FACEID_PHOTOS_DIR) and follow each other's changes (docs/scaling-out.md).
    GalleryStorage storage(config);
    Gallery& gallery = storage.gallery();
    // API keys and the audit log on the same backend: with ClickHouse shared by every replica.
    AuditLog& audit = storage.backend().audit();
    ApiKeyService keys(storage.backend().keys());
    if (config.auth) {
        // First start: an admin key, printed once; only its salted hash is stored. Of replicas starting
        // together on an empty ClickHouse database, one creates and prints it.
        if (auto first = keys.bootstrap_admin()) {
            audit.append(AuditEntry{.at_ms = now_ms(),
                                    .key_id = "server",
                                    .key_name = "first start",
                                    .role = "admin",
                                    .action = "key.create",
                                    .result_ids = nlohmann::json::array({first->record.id})});
            std::cout << "No API keys yet: created the first admin key " << first->record.id
                      << ". It is shown only this once; keep it safe:\n"
                      << first->key << std::endl;
        } else if (storage.backend().keys().count_keys() == 0) {
            spdlog::warn(
                "no API keys yet, and another server claimed the first admin key (it prints it at its "
                "start). If none did, create one with: faceid keys create --role admin --name NAME");
        }
    } else {
        spdlog::warn("--no-auth: API keys are OFF; every local caller is an admin. For development only.");
    }
    storage.start_background_work();

    RegistrationOptions registration_settings = registration_options(config);
    registration_settings.corrections = &storage.backend().corrections();
    RegistrationService registration(pipelines, gallery, registration_settings);
    PersonService persons(gallery, &registration.person_locks());
    CorrectionService corrections(gallery, storage.backend().corrections(), config.max_templates,
                                  registration.person_locks());
    SearchService search(pipelines, gallery, search_options(config));
    RetentionService retention(gallery, config.retention, log_cleanup_report);
    SubjectService subjects(gallery, persons, registration, corrections);

    ApiConfig api;
    api.host = config.host;
    api.port = config.port;
    api.max_upload_bytes = size_t(config.max_upload_mb) * 1024 * 1024;
    api.http_threads = config.http_threads > 0 ? config.http_threads : std::max(8, 2 * workers);
    api.http_queue = config.http_queue;
    api.max_buffered_body_mb = config.max_buffered_body_mb;
    api.max_connections = config.max_connections;
    api.connections_per_address = config.connections_per_address;
    api.read_timeout_seconds = config.read_timeout_seconds;
    api.header_timeout_seconds = config.header_timeout_seconds;
    api.body_timeout_seconds = config.body_timeout_seconds;
    api.auth_enabled = config.auth;
    api.rate_limit = RateLimit{config.rate_limit_per_second, config.rate_limit_burst};
    api.searcher_fields = parse_searcher_fields(config.searcher_fields).value_or(SearcherFields{});
    api.tls_cert = config.tls_cert;
    api.tls_key = config.tls_key;
    api.web_dir = locate_asset_dir(config.web_dir, "web");
    api.swagger_dir = locate_asset_dir(config.swagger_dir, "node_modules/swagger-ui-dist");
    HttpServer server(ApiServices{gallery, persons, registration, search, pipelines, storage.description(),
                                  keys, audit, retention, corrections, subjects, config.duplicate_threshold},
                      api);
    if (!server.bind())
        throw Error(ErrorCode::kUnavailable, "cannot listen on " + config.host + ":" +
                                                 std::to_string(config.port) +
                                                 ": the port is in use or the address is not local");
    BackgroundJobs jobs(gallery, retention, audit);

    std::thread signal_waiter([&] {
        const int received = wait_for_shutdown_signal();
        if (received == 0) return;  // woken by ourselves at normal shutdown
        spdlog::info("signal {}: finishing requests in flight, then stopping", received);
        server.stop();
    });

    std::cout << "Face ID Boom listening on " << (server.tls() ? "https" : "http") << "://" << config.host
              << ":" << server.port() << "/ (storage " << storage.description() << ", " << workers
              << " pipelines, index " << gallery.index().name() << ")" << std::endl;
    server.listen();
    wake_shutdown_waiter();
    signal_waiter.join();
    storage.shut_down();  // saves the index (SQLite), so the next start need not rebuild it
    spdlog::info("stopped; closing storage");
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
    static SettingFlags flags;
    auto* serve = app.add_subcommand("serve", "Run the HTTP service");
    flags.add_to(*serve);  // --config, --no-auth and the settings table's flags
    serve->final_callback([] { throw CLI::RuntimeError(run_serve(flags)); });
}

}  // namespace faceid::app
