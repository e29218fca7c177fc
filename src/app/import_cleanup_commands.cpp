#include "app/import_cleanup_commands.h"

#include "api/resource_json.h"
#include "app/command_setup.h"
#include "app/config.h"
#include "app/data_folder_lock.h"
#include "app/gallery_storage.h"
#include "app/http_registration_sink.h"
#include "core/error.h"
#include "core/json_limits.h"
#include "services/import_runner.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <opencv2/core.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

namespace faceid::app {
namespace {

struct GalleryFlags {
    std::string config_file, data, models, url, key, csv, dir, rejects = "import-rejected.csv";
    int threads = 0;
    int batch = 16;
    bool allow_duplicates = false, dry_run = false, quiet = false;
};

// "12:34" or "1:02:03".
std::string clock_text(double seconds) {
    const long s = long(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

// A one-line progress bar redrawn in place on a terminal; on a pipe, a plain line every few seconds.
class ProgressBar {
  public:
    explicit ProgressBar(bool quiet) : quiet_(quiet), tty_(::isatty(2)) {}
    void update(const ImportProgress& p, bool final = false) {
        if (quiet_) return;
        std::lock_guard lock(mutex_);
        if (!final && p.seconds - last_ < (tty_ ? 0.2 : 5.0)) return;
        last_ = p.seconds;
        const double rate = p.seconds > 0 ? double(p.done) / p.seconds : 0;
        const double eta = rate > 0 ? double(p.total - p.done) / rate : 0;
        const int width = 30;
        const int filled = p.total ? int(width * double(p.done) / double(p.total)) : width;
        std::string bar(size_t(filled), '#');
        bar.resize(width, '.');
        std::fprintf(
            stderr,
            "%s[%s] %zu/%zu  %.1f photos/s  ETA %s  (new %zu, added %zu, skipped %zu, rejected %zu)%s",
            tty_ ? "\r" : "", bar.c_str(), p.done, p.total, rate, clock_text(eta).c_str(), p.created, p.added,
            p.skipped, p.rejected, tty_ && !final ? "" : "\n");
        std::fflush(stderr);
    }

  private:
    bool quiet_, tty_;
    std::mutex mutex_;
    double last_ = -1e9;
};

int run_import_command(const GalleryFlags& flags) {
    if (flags.dir.empty() == flags.csv.empty())
        throw Error(ErrorCode::kMissingField, "give a folder or --csv FILE (one of them)");
    const auto items = flags.csv.empty() ? plan_folder_import(flags.dir) : plan_csv_import(flags.csv);
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    ImportOptions options;
    options.batch_size = size_t(std::clamp(flags.batch, 1, 64));
    options.allow_duplicates = flags.allow_duplicates;
    ProgressBar bar(flags.quiet);
    ImportSummary summary;

    if (!flags.url.empty()) {
        // The server spreads each batch over its own pipelines; two batches in flight keep it busy while
        // the next one uploads.
        options.threads = flags.threads > 0 ? flags.threads : 2;
        HttpRegistrationSink sink(flags.url, flags.key);
        std::cerr << "importing " << items.size() << " photos into " << flags.url << "\n";
        summary = run_import(items, sink, options, [&](const ImportProgress& p) { bar.update(p); });
    } else {
        AppConfig config = load_config(flags.config_file);
        if (!flags.data.empty()) config.data_dir = flags.data;
        if (!flags.models.empty()) config.models_dir = flags.models;
        options.threads = flags.threads > 0 ? flags.threads : cores;
        cv::setNumThreads(1);
        const ModelFiles models = resolve_models(config.models_dir);
        PipelinePool pipelines(models, pipeline_options(config), options.threads);
        const auto folder_lock = lock_data_folder(
            config, "import", "if a server uses it, import through the server with --url http://HOST:PORT");
        spdlog::set_level(spdlog::level::warn);
        GalleryStorage storage(config);
        RegistrationOptions registration_settings = registration_options(config);
        registration_settings.corrections = &storage.backend().corrections();  // pinned primaries stay
        RegistrationService registration(pipelines, storage.gallery(), registration_settings);
        LocalRegistrationSink sink(registration);
        std::cerr << "importing " << items.size() << " photos into " << storage.description() << " with "
                  << options.threads << " threads\n";
        summary = run_import(items, sink, options, [&](const ImportProgress& p) { bar.update(p); });
        storage.shut_down();  // saves the index, so that the next serve need not rebuild it
    }
    bar.update(summary.counts, /*final=*/true);
    const auto& c = summary.counts;
    std::printf(
        "import done=%zu created=%zu added=%zu skipped=%zu rejected=%zu seconds=%.1f "
        "photos_per_second=%.2f\n",
        c.done, c.created, c.added, c.skipped, c.rejected, c.seconds,
        c.seconds > 0 ? double(c.done) / c.seconds : 0.0);
    if (!summary.rejected.empty()) {
        std::map<std::string, size_t> by_reason;
        for (const auto& r : summary.rejected) {
            if (r.outcome.reasons.empty()) ++by_reason[r.outcome.code];
            for (const auto& reason : r.outcome.reasons) ++by_reason[r.outcome.code + ":" + reason];
        }
        std::printf("rejected photos by reason:\n");
        for (const auto& [reason, count] : by_reason) std::printf("  %-40s %zu\n", reason.c_str(), count);
        std::ofstream out(flags.rejects, std::ios::binary);
        out << rejected_csv(summary.rejected);
        std::printf("rejected photos listed in %s\n", flags.rejects.c_str());
    }
    if (c.done > 0 && c.rejected == c.done) {
        std::fprintf(stderr, "faceid: every photo of the import failed; nothing was registered\n");
        return 1;
    }
    return 0;
}

int run_cleanup_command(const GalleryFlags& flags) {
    nlohmann::json report;
    if (!flags.url.empty()) {
        httplib::Client client(flags.url);
        client.set_read_timeout(600, 0);
        httplib::Headers headers;
        if (!flags.key.empty())
            headers = {{"X-API-Key", flags.key}, {"Authorization", "Bearer " + flags.key}};
        auto res = client.Post(std::string("/admin/cleanup?dry_run=") + (flags.dry_run ? "true" : "false"),
                               headers, "", "application/json");
        if (!res) throw Error(ErrorCode::kUnavailable, "no answer from " + flags.url);
        report = parse_json_limited(res->body, 2 * kMaxJsonDepth, SIZE_MAX).value;
        if (res->status != 200)
            throw Error(ErrorCode::kUnavailable,
                        "the server answered " + std::to_string(res->status) + ": " + res->body);
    } else {
        AppConfig config = load_config(flags.config_file);
        if (!flags.data.empty()) config.data_dir = flags.data;
        require_existing_gallery(config);
        if (!config.retention.any_rule())
            throw Error(ErrorCode::kMissingField,
                        "no retention policy: set \"retention\" in the config file (--config)");
        const auto folder_lock = lock_data_folder(
            config, "cleanup",
            "if a server uses it, run the cleanup on the server with --url, or stop it first");
        spdlog::set_level(spdlog::level::warn);
        GalleryStorage storage(config);
        AuditLog& audit = storage.backend().audit();
        RetentionService retention(storage.gallery(), config.retention, log_cleanup_report);
        const CleanupReport result = retention.run(flags.dry_run);
        audit_cleanup(result, audit, "cli");
        storage.shut_down();
        report = cleanup_report_json(result);
    }
    std::cout << report.dump(2) << "\n";
    return 0;
}

}  // namespace

void add_import_and_cleanup_commands(CLI::App& app) {
    static GalleryFlags flags;
    auto* import = app.add_subcommand("import", "Register many photos: a folder per person, or a CSV file");
    import->add_option("dir", flags.dir,
                       "Folder with one sub-folder of photos per person (folder name = name)");
    import->add_option("--csv", flags.csv, "CSV file with the columns name, external_id, path, metadata");
    import->add_option("--data", flags.data, "Local data folder (default: config or ./data)");
    import->add_option("--config", flags.config_file, "JSON config file (as for serve)");
    import->add_option("--models", flags.models, "Folder with the ONNX models");
    import->add_option("--url", flags.url,
                       "Import into a running server instead, e.g. http://127.0.0.1:8000");
    import->add_option("--key", flags.key, "API key for --url");
    import->add_option("--threads", flags.threads,
                       "Parallel workers (default: cores locally, 2 batches over HTTP)");
    import->add_option("--batch", flags.batch, "Photos per batch (1..64)");
    import->add_option("--rejects", flags.rejects, "Where to write the CSV of rejected photos");
    import->add_flag("--allow-duplicates", flags.allow_duplicates,
                     "Register new persons even if their face matches someone");
    import->add_flag("--quiet", flags.quiet, "No progress bar");
    import->final_callback([] { throw CLI::RuntimeError(run_import_command(flags));
});

auto* cleanup = app.add_subcommand("cleanup", "Apply the retention policy (old templates, inactive persons)");
cleanup->add_flag("--dry-run", flags.dry_run, "Report what would be removed, remove nothing");
cleanup->add_option("--data", flags.data, "Local data folder (default: config or ./data)");
cleanup->add_option("--config", flags.config_file, "JSON config file with the \"retention\" policy");
cleanup->add_option("--url", flags.url, "Run it on a running server instead (its own policy)");
cleanup->add_option("--key", flags.key, "API key for --url");
cleanup->final_callback([] { throw CLI::RuntimeError(run_cleanup_command(flags)); });
}  // namespace faceid::app

}  // namespace faceid::app
