#include "app/serve_command.h"

#include "api/http_server.h"
#include "app/config.h"
#include "app/runtime.h"
#include "core/error.h"
#include "repositories/clickhouse/clickhouse_person_repository.h"
#include "repositories/files/file_photo_store.h"
#include "repositories/index/index_factory.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_repository.h"
#include "services/change_follower.h"

#include <opencv2/core.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <iostream>
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

void wake_shutdown_waiter() { on_shutdown_signal(0); }

struct ServeFlags {
    std::string config_file;
    std::optional<std::string> host, data, models, index;
    std::optional<int> port, workers, max_templates;
};

int run_serve(const ServeFlags& flags) {
    AppConfig config;
    if (!flags.config_file.empty()) apply_config_file(config, flags.config_file);
    apply_environment(config);
    if (flags.host) config.host = *flags.host;
    if (flags.port) config.port = *flags.port;
    if (flags.data) config.data_dir = *flags.data;
    if (flags.models) config.models_dir = *flags.models;
    if (flags.workers) config.workers = *flags.workers;
    if (flags.index) config.index = *flags.index;
    if (flags.max_templates) config.max_templates = *flags.max_templates;
    if (config.storage != "sqlite" && config.storage != "clickhouse")
        throw Error(ErrorCode::kInvalidField,
                    "storage must be sqlite or clickhouse, not '" + config.storage + "'",
                    {{"field", "storage"}});

    // SIGINT/SIGTERM only write a byte to a pipe; a waiter thread reads it and stops the server, so that
    // shutdown runs as ordinary code: stop accepting, finish requests in flight, close storage. (A handler
    // rather than sigwait: libraries start threads before main, and any of them may receive the signal.)
    install_shutdown_signals();

    const ModelFiles models = resolve_models(config.models_dir);
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int workers = config.workers > 0 ? config.workers : cores;
    // Each request runs its inference on one thread; parallelism comes from concurrent requests.
    cv::setNumThreads(1);
    PipelinePool pipelines(models, PipelineOptions{}, workers);

    namespace fs = std::filesystem;
    const fs::path data = config.data_dir;
    fs::create_directories(data);
    // Storage: the embedded SQLite file, or a ClickHouse server shared with other replicas, which then also
    // share the photo folder (FACEID_PHOTOS_DIR) and follow each other's changes (docs/scaling-out.md).
    std::unique_ptr<PersonRepository> persons;
    ClickHousePersonRepository* clickhouse = nullptr;
    std::string storage;
    if (config.storage == "clickhouse") {
        ClickHouseSettings settings;
        settings.url = config.clickhouse_url;
        settings.user = config.clickhouse_user;
        settings.password = config.clickhouse_password;
        settings.database = config.clickhouse_database;
        auto repository = std::make_unique<ClickHousePersonRepository>(settings);
        clickhouse = repository.get();
        persons = std::move(repository);
        storage = "clickhouse:" + settings.url + "/" + settings.database;
    } else {
        persons =
            std::make_unique<SqlitePersonRepository>(std::make_shared<SqliteDatabase>(data / "faceid.db"));
        storage = "sqlite:" + (data / "faceid.db").string();
    }
    const fs::path photos_dir = config.photos_dir.empty() ? data / "photos" : fs::path(config.photos_dir);
    FilePhotoStore photos(photos_dir);
    IndexConfig index_config;
    index_config.kind = config.index;
    auto index = make_vector_index(index_config);
    Gallery gallery(*persons, photos, *index);
    // The change stream is opened before the load, so that what other replicas write meanwhile is not lost.
    std::unique_ptr<ChangeFollower> follower;
    if (clickhouse)
        follower =
            std::make_unique<ChangeFollower>(gallery, clickhouse->open_change_stream(),
                                             std::chrono::milliseconds(std::max(50, config.change_poll_ms)));
    const auto loaded = gallery.load_index();
    spdlog::info("index {}: {} faces loaded in {:.2f} s", index->name(), loaded.faces, loaded.seconds);
    if (follower) follower->start();
    if (clickhouse && config.compact_minutes > 0)
        clickhouse->start_background_compaction(std::chrono::minutes(config.compact_minutes));

    RegistrationService registration(pipelines, gallery, RegistrationOptions{.max_templates = config.max_templates});
    SearchOptions search_options;
    if (config.threshold) search_options.calibration.threshold = *config.threshold;
    SearchService search(pipelines, gallery, search_options);

    ApiConfig api;
    api.host = config.host;
    api.port = config.port;
    api.max_upload_bytes = size_t(config.max_upload_mb) * 1024 * 1024;
    api.http_threads = config.http_threads > 0 ? config.http_threads : std::max(8, 2 * workers);
    api.read_timeout_seconds = config.read_timeout_seconds;
    api.web_dir = locate_asset_dir(config.web_dir, "web");
    api.swagger_dir = locate_asset_dir(config.swagger_dir, "node_modules/swagger-ui-dist");
    HttpServer server(ApiServices{gallery, registration, search, pipelines, storage}, api);
    if (!server.bind()) throw Error(ErrorCode::kUnavailable, "cannot listen on " + config.host + ":" + std::to_string(config.port));

    std::thread signal_waiter([&] {
        const int received = wait_for_shutdown_signal();
        if (received == 0) return;  // woken by ourselves at normal shutdown
        spdlog::info("signal {}: finishing requests in flight, then stopping", received);
        server.stop();
    });

    std::cout << "Face ID Boom listening on http://" << config.host << ":" << server.port() << "/ (storage "
              << storage << ", " << workers << " pipelines, index " << index->name() << ")" << std::endl;
    server.listen();
    wake_shutdown_waiter();
    signal_waiter.join();
    if (follower) follower->stop();
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
    serve->add_option("--max-templates", flags.max_templates, "Templates kept per person (default 10)");
    serve->final_callback([] { throw CLI::RuntimeError(run_serve(flags)); });
}

}  // namespace faceid::app
