#include "app/serve_command.h"

#include "api/http_server.h"
#include "app/config.h"
#include "app/local_gallery.h"
#include "app/runtime.h"
#include "core/error.h"

#include <cblas.h>
#include <spdlog/spdlog.h>
#include <opencv2/core.hpp>

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

struct ServeFlags {
    std::string config_file;
    std::optional<std::string> host, data, models, index;
    std::optional<int> port, workers, max_templates;
    bool require_live = false;
};

// Runs the retention policy every interval and writes noted search matches to storage every minute,
// until stopped.
class BackgroundJobs {
  public:
    BackgroundJobs(Gallery& gallery, RetentionService& retention) : gallery_(gallery), retention_(retention) {
        thread_ = std::thread([this] { loop(); });
    }
    ~BackgroundJobs() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
        flush();
    }

  private:
    void loop() {
        const auto interval = std::chrono::minutes(retention_.policy().interval_minutes);
        auto next_cleanup = std::chrono::steady_clock::now() + interval;
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            wake_.wait_for(lock, std::chrono::seconds(60), [&] { return stopping_; });
            if (stopping_) break;
            lock.unlock();
            flush();
            if (interval.count() > 0 && retention_.policy().any_rule() &&
                std::chrono::steady_clock::now() >= next_cleanup) {
                try {
                    retention_.run(/*dry_run=*/false);
                } catch (const std::exception& e) {
                    spdlog::error("retention job: {}", e.what());
                }
                next_cleanup = std::chrono::steady_clock::now() + interval;
            }
            lock.lock();
        }
    }
    void flush() {
        try {
            gallery_.flush_matches();
        } catch (const std::exception& e) {
            spdlog::warn("could not record search matches: {}", e.what());
        }
    }

    Gallery& gallery_;
    RetentionService& retention_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

int run_serve(const ServeFlags& flags) {
    AppConfig config = load_config(flags.config_file);
    if (flags.host) config.host = *flags.host;
    if (flags.port) config.port = *flags.port;
    if (flags.data) config.data_dir = *flags.data;
    if (flags.models) config.models_dir = *flags.models;
    if (flags.workers) config.workers = *flags.workers;
    if (flags.index) config.index = *flags.index;
    if (flags.require_live) config.require_live = true;
    if (flags.max_templates) config.max_templates = *flags.max_templates;
    if (config.storage != "sqlite")
        throw Error(ErrorCode::kInvalidField,
                    "storage '" + config.storage + "' is not available in this build");

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

    LocalGallery local(config.data_dir, config.index);
    Gallery& gallery = local.gallery();
    RegistrationService registration(pipelines, gallery, registration_options(config));
    SearchOptions search_options;
    if (config.threshold) search_options.calibration.threshold = *config.threshold;
    search_options.require_live = config.require_live;
    search_options.live_threshold = config.live_threshold;
    SearchService search(pipelines, gallery, search_options);
    RetentionService retention(gallery, config.retention, log_cleanup_report);

    ApiConfig api;
    api.host = config.host;
    api.port = config.port;
    api.max_upload_bytes = size_t(config.max_upload_mb) * 1024 * 1024;
    api.http_threads = config.http_threads > 0 ? config.http_threads : std::max(8, 2 * workers);
    api.read_timeout_seconds = config.read_timeout_seconds;
    api.web_dir = locate_asset_dir(config.web_dir, "web");
    api.swagger_dir = locate_asset_dir(config.swagger_dir, "node_modules/swagger-ui-dist");
    HttpServer server(ApiServices{gallery, registration, search, pipelines, local.description(), retention,
                                  config.duplicate_threshold},
                      api);
    if (!server.bind())
        throw Error(ErrorCode::kUnavailable,
                    "cannot listen on " + config.host + ":" + std::to_string(config.port));
    BackgroundJobs jobs(gallery, retention);

    std::thread signal_waiter([&] {
        const int received = wait_for_shutdown_signal();
        if (received == 0) return;  // woken by ourselves at normal shutdown
        spdlog::info("signal {}: finishing requests in flight, then stopping", received);
        server.stop();
    });

    std::cout << "Face ID Boom listening on http://" << config.host << ":" << server.port() << "/ (storage "
              << local.description() << ", " << workers << " pipelines, index " << gallery.index().name()
              << ")" << std::endl;
    server.listen();
    wake_shutdown_waiter();
    signal_waiter.join();
    try {
        gallery.save_index(local.snapshot());  // so the next start need not rebuild an approximate index
    } catch (const std::exception& e) {
        spdlog::warn("could not save the index: {}", e.what());
    }
    spdlog::info("stopped; closing storage");
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
    static ServeFlags flags;
    auto* serve = app.add_subcommand("serve", "Run the HTTP service");
    serve->add_option("--config", flags.config_file, "JSON config file");
    serve->add_option("--host", flags.host, "Address to listen on (default 127.0.0.1)");
    serve->add_option("--port", flags.port, "Port (default 8000; 0 picks a free one)");
    serve->add_option("--data", flags.data, "Data folder: database, photos (default ./data)");
    serve->add_option("--models", flags.models, "Folder with the ONNX models");
    serve->add_option("--workers", flags.workers, "Face pipelines (default: cores)");
    serve->add_option("--index", flags.index, "Vector index: flat, hnsw or auto");
    serve->add_flag("--require-live", flags.require_live,
                    "Refuse faces that do not look live (register, search)");
    serve->add_option("--max-templates", flags.max_templates, "Templates kept per person (default 10)");
    serve->final_callback([] { throw CLI::RuntimeError(run_serve(flags)); });
}

}  // namespace faceid::app
