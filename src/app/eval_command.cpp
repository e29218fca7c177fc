// faceid eval: verification accuracy over labelled pairs (LFW), several pipeline variants side by side;
// `faceid eval identify` (identify_eval_command.cpp) is the open-set benchmark, `faceid eval rotation`
// (rotation_eval_command.cpp) the turned-photo one.
#include "app/eval_command.h"

#include "app/command_setup.h"
#include "app/identify_eval_command.h"
#include "app/rotation_eval_command.h"
#include "app/vision_flags.h"
#include "core/clock.h"
#include "core/error.h"
#include "services/calibration/match_decision.h"
#include "services/evaluation.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace faceid::app {
namespace {

// The face an evaluation uses: LFW photos are centred on the labelled person, so take the face nearest
// the centre rather than the largest (or the largest, which is what registration takes when there are
// several). If nothing passes the detector threshold, retry at a low one.
std::optional<AnalyzedFace> evaluation_face(FacePipeline& pipeline, const cv::Mat& image,
                                            std::vector<FaceBox> boxes, bool largest) {
    if (boxes.empty()) boxes = pipeline.detect(image, 0.3f);
    if (boxes.empty()) return std::nullopt;
    if (largest) return pipeline.analyze(image, boxes.front());  // detect() sorts largest first
    const cv::Point2f centre(image.cols / 2.f, image.rows / 2.f);
    auto nearest = std::min_element(boxes.begin(), boxes.end(), [&](const FaceBox& a, const FaceBox& b) {
        return cv::norm(a.center() - centre) < cv::norm(b.center() - centre);
    });
    return pipeline.analyze(image, *nearest);
}

struct EvalFlags {
    std::string pairs, root;
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    bool fit = false;
    bool largest = false;               // choose the largest face instead of the most central one
    std::vector<std::string> variants;  // pipeline variants compared side by side (see parse_variant)
    std::string scores_out;             // CSV of every pair's cosine under every variant
};

// Detector options as a key, so variants sharing them share one detection per photo.
std::string detector_key(const DetectorOptions& d) {
    return std::to_string(d.input_width) + "x" + std::to_string(d.input_height) + "/" +
           std::to_string(d.keep_aspect) + "/" + std::to_string(d.tile_2x2_above) + "/" +
           std::to_string(d.tile_3x3_above) + "/" + std::to_string(d.score_threshold) + "/" +
           std::to_string(d.min_face_px) + "/" + std::to_string(d.nms_iou);
}

int run_eval(const VisionFlags& flags, const EvalFlags& eval) {
    const auto models = resolve_models(flags.models);
    const auto pairs = read_pair_list(eval.pairs, eval.root);
    std::vector<std::string> photos;
    for (const auto& p : pairs) {
        photos.push_back(p.path_a);
        photos.push_back(p.path_b);
    }
    std::sort(photos.begin(), photos.end());
    photos.erase(std::unique(photos.begin(), photos.end()), photos.end());

    // Variant 0 is the command line's own pipeline; --variant adds more, each run on the same decoded photo.
    const PipelineOptions base = pipeline_options(flags);
    std::vector<PipelineVariant> variants = {
        parse_variant(flags.pipeline.empty() ? "base" : flags.pipeline, base, eval.largest)};
    for (const auto& spec : eval.variants) {
        if (spec == "base") continue;
        variants.push_back(parse_variant(spec, base, eval.largest));
    }
    const size_t nv = variants.size();

    // Both embeddings of every photo from one forward pass, so one run compares them side by side.
    using Pair = std::pair<Embedding, Embedding>;             // {plain, flip-averaged}
    std::vector<std::map<std::string, Pair>> embeddings(nv);  // per variant, per photo
    std::mutex mutex;
    std::atomic<size_t> next{0}, done{0};
    std::vector<std::atomic<int>> no_face(nv);
    const double start = monotonic_seconds();
    auto worker = [&] {
        // OpenCV's own threads would fight with ours; one inference thread per worker.
        FacePipeline pipeline(models, base);
        for (size_t i = next++; i < photos.size(); i = next++) {
            std::vector<Pair> e(nv);
            try {
                const cv::Mat image = pipeline.decode(read_file_bytes(photos[i]));
                std::map<std::string, std::vector<FaceBox>> detections;
                for (size_t v = 0; v < nv; ++v) {
                    pipeline.set_options(variants[v].options);
                    try {
                        const auto key = detector_key(variants[v].options.detector);
                        if (!detections.count(key)) detections[key] = pipeline.detect(image);
                        auto face = evaluation_face(pipeline, image, detections[key], variants[v].largest);
                        if (face) e[v] = pipeline.embed_variants(*face);
                    } catch (const cv::Exception& err) {  // e.g. a detector input size the network rejects
                        std::cerr << "eval: " << photos[i] << ": variant " << variants[v].name << ": "
                                  << err.what() << "\n";
                    }
                }
            } catch (const Error& err) {
                std::cerr << "eval: " << photos[i] << ": " << err.what() << "\n";
            }
            {
                std::lock_guard lock(mutex);
                for (size_t v = 0; v < nv; ++v) {
                    if (e[v].first.empty()) ++no_face[v];
                    embeddings[v][photos[i]] = std::move(e[v]);
                }
            }
            const size_t n = ++done;
            if (n % 500 == 0 || n == photos.size())
                std::cerr << "eval: " << n << "/" << photos.size() << " photos, "
                          << int(double(n) / (monotonic_seconds() - start)) << " photos/s\n";
        }
    };
    cv::setNumThreads(1);
    std::vector<std::thread> threads;
    for (int t = 0; t < eval.threads; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();

    // Three ways to compare: plain both sides, flip-averaged both sides, and flip-averaged enrolment (a)
    // against a plain probe (b).
    struct Scores {
        std::vector<ScoredPair> plain, flipped, mixed;
    };
    std::vector<Scores> scores(nv);
    for (size_t v = 0; v < nv; ++v)
        for (const auto& p : pairs) {
            const auto& a = embeddings[v][p.path_a];
            const auto& b = embeddings[v][p.path_b];
            // A photo without a face cannot be matched: score it -1, below any threshold, which counts
            // against the same pairs as it would in the product.
            const bool missing = a.first.empty() || b.first.empty();
            scores[v].plain.push_back({p.fold, p.same, missing ? -1.0 : cosine_similarity(a.first, b.first)});
            scores[v].flipped.push_back(
                {p.fold, p.same, missing ? -1.0 : cosine_similarity(a.second, b.second)});
            scores[v].mixed.push_back(
                {p.fold, p.same, missing ? -1.0 : cosine_similarity(a.second, b.first)});
        }

    for (const auto& [name, list] : {std::pair{"plain", &scores[0].plain},
                                     {"flip", &scores[0].flipped},
                                     {"enrol_flip_probe_plain", &scores[0].mixed}}) {
        const auto k = k_fold_accuracy(*list);
        std::printf("variant %s: accuracy %.2f%% +- %.2f%%, TAR@FAR=1e-3 %.2f%%\n", name, k.accuracy * 100,
                    k.stddev * 100, tar_at_far(*list, 1e-3).tar * 100);
    }
    const auto& scored = variants[0].flip ? scores[0].flipped : scores[0].plain;
    const auto kfold = k_fold_accuracy(scored);
    const auto far2 = tar_at_far(scored, 1e-2);
    const auto far3 = tar_at_far(scored, 1e-3);
    std::printf("pairs: %zu, photos: %zu, no face: %d, %.1f s\n", scored.size(), photos.size(),
                no_face[0].load(), monotonic_seconds() - start);
    std::printf("accuracy (%zu-fold): %.2f%% +- %.2f%%, threshold %.3f\n", kfold.fold_accuracy.size(),
                kfold.accuracy * 100, kfold.stddev * 100, kfold.threshold);
    std::printf("TAR@FAR=1e-2: %.2f%% (threshold %.3f)\nTAR@FAR=1e-3: %.2f%% (threshold %.3f)\n",
                far2.tar * 100, far2.threshold, far3.tar * 100, far3.threshold);
    if (eval.fit) {
        const auto fit = fit_logistic(scored);
        std::printf("fit slope=%.3f intercept=%.3f far1e-3_threshold=%.4f\n", fit.slope, fit.intercept,
                    far3.threshold);
    }
    std::printf(
        "eval pairs=%zu accuracy=%.4f std=%.4f tar_far1e-2=%.3f tar_far1e-3=%.3f threshold=%.3f no_face=%d\n",
        scored.size(), kfold.accuracy, kfold.stddev, far2.tar, far3.tar, kfold.threshold, no_face[0].load());

    if (nv > 1) {
        // One line per variant; accuracy is k-fold, "plain" is the same without flip-averaging.
        std::printf("\n| variant | accuracy | plain | TAR@1e-2 | TAR@1e-3 | threshold | no face |\n");
        std::printf("|---|---|---|---|---|---|---|\n");
        for (size_t v = 0; v < nv; ++v) {
            const auto& list = variants[v].flip ? scores[v].flipped : scores[v].plain;
            const auto k = k_fold_accuracy(list);
            const auto plain = k_fold_accuracy(scores[v].plain);
            std::printf("| %s%s | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.3f | %d |\n",
                        variants[v].name.c_str(), variants[v].flip ? "" : " (no flip)", k.accuracy * 100,
                        plain.accuracy * 100, tar_at_far(list, 1e-2).tar * 100,
                        tar_at_far(list, 1e-3).tar * 100, k.threshold, no_face[v].load());
        }
    }
    if (!eval.scores_out.empty()) {
        std::ofstream out(eval.scores_out);
        out << "image_a,image_b,same,fold";
        for (const auto& v : variants) out << ",\"" << v.name << "\"";
        out << "\n";
        for (size_t i = 0; i < pairs.size(); ++i) {
            out << pairs[i].path_a << "," << pairs[i].path_b << "," << pairs[i].same << "," << pairs[i].fold;
            for (size_t v = 0; v < nv; ++v)
                out << "," << (variants[v].flip ? scores[v].flipped : scores[v].plain)[i].similarity;
            out << "\n";
        }
    }
    return 0;
}

}  // namespace

void add_eval_command(CLI::App& app) {
    static VisionFlags flags;
    static EvalFlags eval;

    auto* evaluate = app.add_subcommand("eval", "Verification accuracy over a list of labelled pairs");
    add_vision_flags(evaluate, flags);
    evaluate->add_option("--pairs", eval.pairs, "pairs.txt-style or fold/path/path/same list");
    evaluate->add_option("--root", eval.root, "Folder the photos are in");
    evaluate->add_option("--threads", eval.threads, "Worker threads");
    evaluate->add_flag("--fit", eval.fit, "Also fit the percentage calibration");
    evaluate->add_flag("--largest", eval.largest,
                       "Use each photo's largest face (default: the most central)");
    evaluate->add_option("--variant", eval.variants,
                         "Also evaluate a pipeline variant side by side (repeatable): key=value words as for "
                         "--pipeline, applied on top of the command line's pipeline");
    evaluate->add_option("--scores", eval.scores_out, "Write every pair's cosine per variant to this CSV");
    add_identify_eval_command(*evaluate);
    add_rotation_eval_command(*evaluate);
    evaluate->final_callback([evaluate] {
        // The sub-commands ran their own callbacks.
        if (evaluate->got_subcommand("identify") || evaluate->got_subcommand("rotation")) return;
        if (eval.pairs.empty() || eval.root.empty())
            throw CLI::ValidationError("eval", "give --pairs and --root (or the identify sub-command)");
        throw CLI::RuntimeError(run_eval(flags, eval));
    });
}

}  // namespace faceid::app
