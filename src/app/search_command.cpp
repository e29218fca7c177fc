#include "app/search_command.h"

#include "api/resource_json.h"
#include "app/command_setup.h"
#include "app/config.h"
#include "app/gallery_storage.h"
#include "core/error.h"
#include "services/search_service.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

namespace faceid::app {
namespace {

namespace fs = std::filesystem;

struct SearchFlags {
    std::string batch_dir, config_file, data, models;
    int top_k = 5;
    std::optional<double> threshold;
    bool all_faces = false, compare_single = false;
    int batch_size = 32;
    int threads = 0;
};

bool is_photo(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".webp" || ext == ".bmp";
}

// Every photo under dir (sub-folders included), in path order.
std::vector<fs::path> photos_in(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw Error(ErrorCode::kNotFound, dir.string() + " is not a folder");
    std::vector<fs::path> photos;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file() && is_photo(entry.path())) photos.push_back(entry.path());
    std::sort(photos.begin(), photos.end());
    return photos;
}

nlohmann::json error_line(const Error& error) {
    const auto& info = error.info();
    return error_json(std::string(info.name), error.what(), error.details());
}

// The best match's person id of every face, for comparing the two ways of searching.
std::vector<std::string> matched_ids(const std::vector<FaceSearchResult>& results) {
    std::vector<std::string> ids;
    for (const auto& r : results) ids.push_back(r.match ? r.match->person.id : "");
    return ids;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run_search_command(const SearchFlags& flags) {
    if (flags.batch_dir.empty()) throw Error(ErrorCode::kMissingField, "give --batch DIR");
    const auto photos = photos_in(flags.batch_dir);
    if (photos.empty()) throw Error(ErrorCode::kNotFound, "no photos in " + flags.batch_dir);
    AppConfig config = load_config(flags.config_file);
    if (!flags.data.empty()) config.data_dir = flags.data;
    if (!flags.models.empty()) config.models_dir = flags.models;
    require_existing_gallery(config);
    const int threads =
        flags.threads > 0 ? flags.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    const size_t batch_size = size_t(std::clamp(flags.batch_size, 1, 64));
    cv::setNumThreads(1);  // parallel over photos instead
    const ModelFiles models = resolve_models(config.models_dir);
    PipelinePool pipelines(models, pipeline_options(config), threads);
    spdlog::set_level(spdlog::level::warn);
    GalleryStorage storage(config);
    SearchService search(pipelines, storage.gallery(), search_options(config));
    auto request_for = [&](const fs::path& photo) {
        SearchRequest request;
        request.photo = read_file_bytes(photo.string());
        request.top_k = flags.top_k;
        request.threshold = flags.threshold;
        request.may_go_below_floor = true;  // the local gallery's owner
        request.all_faces = flags.all_faces;
        return request;
    };

    // Batches: one JSON line per photo, in path order.
    std::vector<std::vector<std::string>> batch_matches(photos.size());
    const auto batch_start = std::chrono::steady_clock::now();
    for (size_t begin = 0; begin < photos.size(); begin += batch_size) {
        const size_t end = std::min(photos.size(), begin + batch_size);
        std::vector<SearchRequest> requests;
        std::vector<std::optional<Error>> unreadable(end - begin);
        std::vector<size_t> sent;  // photo of each request
        for (size_t i = begin; i < end; ++i) {
            try {
                requests.push_back(request_for(photos[i]));
                sent.push_back(i);
            } catch (const Error& e) {
                unreadable[i - begin] = e;
            }
        }
        const auto entries = search.search_batch(requests, threads);
        size_t next = 0;
        for (size_t i = begin; i < end; ++i) {
            nlohmann::json line = {{"file", photos[i].string()}};
            if (unreadable[i - begin]) {
                line.update(error_line(*unreadable[i - begin]));
            } else {
                const auto& entry = entries[next++];
                if (entry.error) {
                    line.update(error_line(*entry.error));
                } else {
                    line["results"] = search_results_json(entry.results, FieldView{});
                    if (!entry.results.empty()) line["threshold"] = entry.results.front().decision.threshold;
                    batch_matches[i] = matched_ids(entry.results);
                }
            }
            std::cout << line.dump() << "\n";
        }
        std::cout.flush();
    }
    const double batch_s = seconds_since(batch_start);
    std::fprintf(stderr,
                 "search --batch: %zu photos in %.2f s = %.2f photos/s (batches of %zu, %d threads)\n",
                 photos.size(), batch_s, double(photos.size()) / batch_s, batch_size, threads);

    if (flags.compare_single) {
        // The same photos one request at a time, on as many threads: what batching itself gains.
        std::atomic<size_t> next{0}, differ{0};
        const auto single_start = std::chrono::steady_clock::now();
        auto worker = [&] {
            for (size_t i = next++; i < photos.size(); i = next++) {
                std::vector<std::string> ids;
                try {
                    ids = matched_ids(search.search(request_for(photos[i])));
                } catch (const Error&) {
                }
                if (ids != batch_matches[i]) ++differ;
            }
        };
        std::vector<std::thread> pool;
        for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
        worker();
        for (auto& t : pool) t.join();
        const double single_s = seconds_since(single_start);
        std::fprintf(
            stderr,
            "one by one: %.2f photos/s (%d threads); batch speed-up %.2fx; photos whose best matches "
            "differ: %zu\n",
            double(photos.size()) / single_s, threads, single_s / batch_s, differ.load());
    }
    storage.shut_down();
    return 0;
}

}  // namespace

void add_search_command(CLI::App& app) {
    static SearchFlags flags;
    auto* search = app.add_subcommand("search", "Search photos against the local gallery");
    search->add_option("--batch", flags.batch_dir, "Folder of photos: one JSON line per photo")->required();
    search->add_option("--data", flags.data, "Local data folder (default: config or ./data)");
    search->add_option("--config", flags.config_file, "JSON config file (as for serve)");
    search->add_option("--models", flags.models, "Folder with the ONNX models");
    search->add_option("--top-k", flags.top_k, "Candidates per face (1..100)")->check(CLI::Range(1, 100));
    search->add_option("--threshold", flags.threshold, "Match threshold (cosine; default: calibrated)")
        ->check(CLI::Range(-1.0, 1.0));
    search->add_flag("--all-faces", flags.all_faces, "Every face of a photo, not only the largest");
    search->add_option("--batch-size", flags.batch_size, "Photos per batch (1..64)");
    search->add_option("--threads", flags.threads, "Pipelines working in parallel (default: cores)");
    search->add_flag("--compare-single", flags.compare_single,
                     "Also search the photos one at a time and print the speed-up of batching");
    search->final_callback([] { throw CLI::RuntimeError(run_search_command(flags)); });
}

}  // namespace faceid::app
