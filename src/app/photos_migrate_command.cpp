#include "app/photos_migrate_command.h"

#include "app/config.h"
#include "app/gallery_storage.h"
#include "app/photo_stores.h"
#include "app/storage_backends.h"
#include "core/clock.h"
#include "core/error.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace faceid::app {
namespace {

enum class Outcome { kCopied, kAlready, kMissing, kCorrupt, kFailed };

Outcome migrate_one(PhotoStore& from, PhotoStore& to, const std::string& key, bool verify_existing,
                    uint64_t& bytes_copied) {
    if (auto there = to.stat(key)) {
        if (verify_existing) {
            auto bytes = to.get(key);
            if (bytes && bytes_match_photo_key(*bytes, key)) return Outcome::kAlready;
        } else {
            // Both stores write a blob atomically (rename, PUT): a present one is whole. Same size: done.
            auto here = from.stat(key);
            if (!here || here->size == there->size) return Outcome::kAlready;
        }
    }
    auto bytes = from.get(key);
    if (!bytes) {
        spdlog::error("photo {} is in neither store: a face row refers to it", key);
        return Outcome::kMissing;
    }
    if (!bytes_match_photo_key(*bytes, key)) {
        spdlog::error("photo {} in the source does not hash to its key: not copied", key);
        return Outcome::kCorrupt;
    }
    const std::string stored = to.put(*bytes, key.substr(key.find('.') + 1));
    auto back = to.get(stored);
    if (stored != key || !back || !bytes_match_photo_key(*back, key)) {
        spdlog::error("photo {}: the copy does not read back intact", key);
        return Outcome::kFailed;
    }
    bytes_copied += bytes->size();
    return Outcome::kCopied;
}

}  // namespace

MigrationReport migrate_photos(PhotoStore& from, PhotoStore& to, const std::vector<std::string>& keys,
                               int threads, bool verify_existing,
                               const std::function<void(const MigrationReport&)>& progress) {
    const double start = monotonic_seconds();
    MigrationReport report;
    report.keys = keys.size();
    std::mutex mutex;
    std::atomic<size_t> next{0};
    double last_progress = start;
    auto worker = [&] {
        for (size_t i = next++; i < keys.size(); i = next++) {
            uint64_t bytes = 0;
            Outcome outcome;
            try {
                outcome = migrate_one(from, to, keys[i], verify_existing, bytes);
            } catch (const std::exception& e) {
                spdlog::error("photo {}: {}", keys[i], e.what());
                outcome = Outcome::kFailed;
            }
            std::lock_guard lock(mutex);
            report.bytes_copied += bytes;
            switch (outcome) {
                case Outcome::kCopied:
                    ++report.copied;
                    break;
                case Outcome::kAlready:
                    ++report.already;
                    break;
                case Outcome::kMissing:
                    ++report.missing;
                    break;
                case Outcome::kCorrupt:
                    ++report.corrupt;
                    break;
                case Outcome::kFailed:
                    ++report.failed;
                    break;
            }
            if (progress && monotonic_seconds() - last_progress > 2) {
                last_progress = monotonic_seconds();
                report.seconds = last_progress - start;
                progress(report);
            }
        }
    };
    const int count = std::clamp(threads, 1, 64);
    std::vector<std::thread> pool;
    for (int t = 1; t < count; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    report.seconds = monotonic_seconds() - start;
    return report;
}

namespace {

struct PhotosFlags {
    std::string config_file, data, to, from;
    int threads = 8;
    bool verify = false;
};

std::string report_line(const MigrationReport& r, const std::string& from, const std::string& to) {
    char line[512];
    std::snprintf(
        line, sizeof line,
        "migrate from=%s to=%s keys=%llu copied=%llu already=%llu missing=%llu corrupt=%llu failed=%llu "
        "bytes_copied=%llu seconds=%.1f",
        from.c_str(), to.c_str(), (unsigned long long)r.keys, (unsigned long long)r.copied,
        (unsigned long long)r.already, (unsigned long long)r.missing, (unsigned long long)r.corrupt,
        (unsigned long long)r.failed, (unsigned long long)r.bytes_copied, r.seconds);
    return line;
}

int run_migrate(const PhotosFlags& flags) {
    AppConfig config = load_config(flags.config_file);
    if (!flags.data.empty()) config.data_dir = flags.data;
    require_existing_gallery(config);
    // From: --from, else the store being switched away from (photo_fallback during a switch-over), else the
    // configured store.
    const std::string from = !flags.from.empty()              ? flags.from
                             : !config.photo_fallback.empty() ? config.photo_fallback
                                                              : config.photo_store;
    if (from == flags.to)
        throw Error(ErrorCode::kInvalidField,
                    "the photos are already in '" + from + "' (the configured store); --from names another",
                    {{"field", "to"}});
    spdlog::set_level(spdlog::level::warn);
    // Only reads the gallery (no lock): it may run beside serving replicas, which is the point.
    auto backend = open_storage_backend(config);
    std::vector<std::string> keys;
    {
        std::unordered_set<std::string> seen;
        backend->persons().for_each_face([&](const FaceRecord& face) {
            for (const auto* key : {&face.photo_key, &face.crop_key})
                if (!key->empty() && seen.insert(*key).second) keys.push_back(*key);
        });
    }
    std::sort(keys.begin(), keys.end());
    auto source = open_photo_store(config, from);
    auto destination = open_photo_store(config, flags.to);
    std::cerr << "copying " << keys.size() << " photos and crops from " << source->description() << " to "
              << destination->description() << "\n";
    const auto report = migrate_photos(
        *source, *destination, keys, flags.threads, flags.verify,
        [&](const MigrationReport& so_far) { std::cerr << report_line(so_far, from, flags.to) << "\n"; });
    std::cout << report_line(report, from, flags.to) << "\n";
    if (!report.ok()) std::cerr << "some photos were not copied (see above); a re-run copies what is left\n";
    return report.ok() ? 0 : 1;
}

}  // namespace

void add_photos_migrate_command(CLI::App& app) {
    static PhotosFlags flags;
    auto* photos = app.add_subcommand("photos", "Photo store maintenance");
    photos->require_subcommand(1);
    auto* migrate = photos->add_subcommand(
        "migrate",
        "Copy every photo and crop of the gallery to another photo store (resumable, verified by "
        "SHA-256); see docs/scaling-out.md for the switch-over");
    migrate->add_option("--to", flags.to, "Destination store")
        ->required()
        ->check(CLI::IsMember({"s3", "files"}));
    migrate
        ->add_option("--from", flags.from, "Source store (default: photo_fallback if set, else photo_store)")
        ->check(CLI::IsMember({"s3", "files"}));
    migrate->add_option("--config", flags.config_file,
                        "JSON config file (as for serve): storage and S3 settings");
    migrate->add_option("--data", flags.data, "Local data folder (default: config or ./data)");
    migrate->add_option("--threads", flags.threads, "Parallel copies (default 8)")->check(CLI::Range(1, 64));
    migrate->add_flag("--verify", flags.verify,
                      "Also read back photos already in the destination and check their SHA-256");
    migrate->final_callback([] { throw CLI::RuntimeError(run_migrate(flags)); });
}

}  // namespace faceid::app
