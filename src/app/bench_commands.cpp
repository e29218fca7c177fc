// faceid bench pipeline and bench liveness: figures measured through the product's own pipeline. The
// vector-index benchmark is its own binary (build/release/bench/bench_index), so that the product does
// not link benchmark code.
#include "app/bench_commands.h"

#include "app/command_setup.h"
#include "app/vision_flags.h"
#include "core/clock.h"
#include "core/error.h"
#include "vision/liveness.h"
#include "vision/recapture.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace faceid::app {
namespace {

// photos-multi (whole photos of 13 people) and the first photo of LFW people, up to lfw_limit.
std::vector<std::string> default_liveness_photos(int lfw_limit) {
    namespace fs = std::filesystem;
    std::vector<std::string> photos;
    const fs::path root = "../shared/data";
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root / "photos-multi", ec);
         !ec && it != fs::recursive_directory_iterator(); ++it)
        if (it->path().extension() == ".jpg") photos.push_back(it->path().string());
    std::vector<fs::path> people;
    for (auto it = fs::directory_iterator(root / "lfw", ec); !ec && it != fs::directory_iterator(); ++it)
        if (it->is_directory()) people.push_back(it->path());
    std::sort(people.begin(), people.end());
    for (size_t i = 0; i < people.size() && int(i) < lfw_limit; ++i)
        photos.push_back((people[i] / (people[i].filename().string() + "_0001.jpg")).string());
    std::sort(photos.begin(), photos.end());
    return photos;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int run_bench_pipeline(const VisionFlags& flags, std::vector<std::string> images, int repeats) {
    FacePipeline pipeline(resolve_models(flags.models), pipeline_options(flags));
    cv::setNumThreads(1);
    std::printf("one thread, median of %d runs per photo, flip_average=%d, second_landmark_pass=%d\n",
                repeats, int(!flags.no_flip), int(!flags.single_landmark_pass));
    for (const auto& path : images) {
        const std::string bytes = read_file_bytes(path);
        std::map<std::string, std::vector<double>> stages;
        int faces = 0;
        cv::Size size;
        for (int r = 0; r < repeats + 1; ++r) {
            pipeline.reset_times();
            const cv::Mat image = pipeline.decode(bytes);
            size = image.size();
            auto boxes = pipeline.detect(image);
            faces = int(boxes.size());
            if (!boxes.empty()) pipeline.analyze(image, boxes.front());
            if (r == 0) continue;  // warm-up
            const auto& t = pipeline.times();
            stages["decode"].push_back(t.decode);
            stages["detect"].push_back(t.detect);
            stages["landmarks"].push_back(t.landmarks);
            stages["align"].push_back(t.align);
            stages["quality"].push_back(t.quality);
            stages["embed"].push_back(t.embed);
            stages["total"].push_back(t.total());
        }
        std::printf("bench image=%s size=%dx%d faces=%d", path.c_str(), size.width, size.height, faces);
        for (const char* stage : {"decode", "detect", "landmarks", "align", "quality", "embed", "total"})
            std::printf(" %s_ms=%.2f", stage, median(stages[stage]));
        std::printf("\n");
    }
    return 0;
}

// Area under the ROC curve of separating positives from negatives by score (probability that a random
// positive scores above a random negative).
double auc(const std::vector<double>& positives, const std::vector<double>& negatives) {
    if (positives.empty() || negatives.empty()) return 0;
    double wins = 0;
    for (double p : positives)
        for (double n : negatives) wins += p > n ? 1 : p == n ? 0.5 : 0;
    return wins / double(positives.size() * negatives.size());
}

// Liveness scores of the largest face of real photos and of synthetic re-captures of the same photos
// (screen and print), per output class: which class means "live", and how well it separates them.
int run_bench_liveness(const VisionFlags& flags, const std::vector<std::string>& images, bool rgb) {
    const auto models = resolve_models(flags.models);
    FacePipeline pipeline(models, pipeline_options(flags));
    LivenessDetector liveness(models.path("fr_liveness.onnx"), rgb);
    cv::setNumThreads(1);
    // kind -> class -> scores
    std::map<std::string, std::array<std::vector<double>, 3>> scores;
    int used = 0, no_face = 0;
    for (size_t i = 0; i < images.size(); ++i) {
        cv::Mat original;
        try {
            original = pipeline.decode(read_file_bytes(images[i]));
        } catch (const Error&) {
            continue;
        }
        const std::pair<const char*, std::optional<RecaptureStyle>> kinds[] = {
            {"live", std::nullopt},
            {"screen", RecaptureStyle{.screen = true}},
            {"print", RecaptureStyle{.screen = false}}};
        std::map<std::string, LivenessScore> row;
        for (const auto& [kind, style] : kinds) {
            const cv::Mat image =
                style ? simulate_recapture(original, *style, uint32_t(i * 7 + 1)) : original;
            const auto boxes = pipeline.detect(image);
            if (boxes.empty()) break;
            row[kind] = liveness.score(image, boxes.front());
        }
        if (row.size() != 3) {
            ++no_face;
            continue;
        }
        ++used;
        for (const auto& [kind, score] : row)
            for (int c = 0; c < 3; ++c) scores[kind][c].push_back(score.probabilities[c]);
    }
    auto mean = [](const std::vector<double>& v) {
        double s = 0;
        for (double x : v) s += x;
        return v.empty() ? 0.0 : s / double(v.size());
    };
    std::printf(
        "liveness: %d photos (each live + re-captured from a screen + re-captured print), %d skipped "
        "(no face in one version), input order %s\n",
        used, no_face, rgb ? "RGB" : "BGR");
    std::printf("%-8s %10s %10s %10s\n", "kind", "class0", "class1", "class2");
    for (const char* kind : {"live", "screen", "print"})
        std::printf("%-8s %10.3f %10.3f %10.3f\n", kind, mean(scores[kind][0]), mean(scores[kind][1]),
                    mean(scores[kind][2]));
    for (int c = 0; c < 3; ++c) {
        std::vector<double> spoof = scores["screen"][c];
        spoof.insert(spoof.end(), scores["print"][c].begin(), scores["print"][c].end());
        std::printf("class%d as live score: AUC live vs re-captured %.3f (screen %.3f, print %.3f)\n", c,
                    auc(scores["live"][c], spoof), auc(scores["live"][c], scores["screen"][c]),
                    auc(scores["live"][c], scores["print"][c]));
    }
    const int k = LivenessDetector::kLiveClass;
    auto share_at = [&](const std::vector<double>& v, double t) {
        return v.empty() ? 0.0
                         : double(std::count_if(v.begin(), v.end(), [&](double x) { return x >= t; })) /
                               double(v.size());
    };
    for (double t : {0.3, 0.5, 0.7, 0.9})
        std::printf(
            "threshold %.1f on class%d: live accepted %.1f%%, screen accepted %.1f%%, print accepted "
            "%.1f%%\n",
            t, k, 100 * share_at(scores["live"][k], t), 100 * share_at(scores["screen"][k], t),
            100 * share_at(scores["print"][k], t));
    // Eye state on the live photos: nearly everyone in these photos has open eyes, so the class the eye
    // model gives most of them is "open".
    int open = 0, eyes = 0;
    for (size_t i = 0; i < images.size() && eyes < 400; ++i) {
        try {
            const cv::Mat image = pipeline.decode(read_file_bytes(images[i]));
            const auto boxes = pipeline.detect(image);
            if (boxes.empty()) continue;
            auto face = pipeline.analyze(image, boxes.front(), false);
            pipeline.estimate_attributes(image, face);
            open += (face.attributes->left_eye_open >= 0.5) + (face.attributes->right_eye_open >= 0.5);
            eyes += 2;
        } catch (const Error&) {
        }
    }
    std::printf("eyes: %d of %d eyes in the live photos are class%d (\"open\")\n", open, eyes,
                AttributeEstimator::kEyeOpenClass);
    return 0;
}

}  // namespace

void add_bench_commands(CLI::App& app) {
    static VisionFlags flags;
    static std::vector<std::string> images;
    static int repeats = 15;

    auto* bench = app.add_subcommand("bench", "Benchmarks that print figures");
    bench->require_subcommand(1);
    auto* pipeline = bench->add_subcommand("pipeline", "Milliseconds per stage, one thread");
    add_vision_flags(pipeline, flags);
    pipeline->add_option("images", images, "Photos (default: a few from ../shared/data)");
    pipeline->add_option("--repeats", repeats, "Runs per photo");
    static bool rgb = false;
    static int limit = 300;
    auto* live =
        bench->add_subcommand("liveness", "Liveness scores per class: real photos vs synthetic re-captures");
    add_vision_flags(live, flags);
    live->add_option("images", images, "Photos (default: photos-multi and LFW photos from ../shared/data)");
    live->add_option("--limit", limit, "At most this many LFW photos in the default set");
    live->add_flag("--rgb", rgb, "Feed the model RGB instead of BGR (to compare)");
    live->final_callback([] {
        if (images.empty()) images = default_liveness_photos(limit);
        throw CLI::RuntimeError(run_bench_liveness(flags, images, rgb));
    });

    pipeline->final_callback([] {
        if (images.empty())
            images = {"../shared/data/lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg",
                      "../shared/data/photos-multi/p01/img1.jpg", "../shared/data/photos-group/sample1.jpg"};
        throw CLI::RuntimeError(run_bench_pipeline(flags, images, repeats));
    });
}

}  // namespace faceid::app
