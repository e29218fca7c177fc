#include "app/vision_commands.h"

#include "app/identify_eval_command.h"
#include "app/runtime.h"
#include "core/clock.h"
#include "core/error.h"
#include "index_bench_cli.h"
#include "schemas/face_json.h"
#include "services/calibration/match_decision.h"
#include "services/evaluation.h"
#include "vision/liveness.h"
#include "vision/recapture.h"

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

struct VisionFlags {
    std::string models;
    bool no_flip = false;
    bool single_landmark_pass = false;
    float score_threshold = DetectorOptions{}.score_threshold;
    std::string pipeline;  // key=value words, see parse_variant
};

void add_vision_flags(CLI::App* cmd, VisionFlags& flags) {
    cmd->add_option("--models", flags.models, "Folder with the ONNX models (default: ./models)");
    cmd->add_flag("--no-flip", flags.no_flip, "Embed without flip-averaging");
    cmd->add_flag("--single-landmark-pass", flags.single_landmark_pass, "Run the landmark network once");
    cmd->add_option("--score-threshold", flags.score_threshold, "Detector score threshold");
    cmd->add_option("--pipeline", flags.pipeline,
                    "Pipeline options as key=value words, e.g. \"aspect=1 lm_pass=1\". Keys: det_size=WxH "
                    "aspect=0|1 tile2=N tile3=N lm_pass=1|2 lm_box=SCALE lm_area=0|1 align=ls|ransac|lmeds "
                    "align_aa=SCALE flip=0|1 (eval: also choose=central|largest)");
}

// A pipeline variant (`--pipeline` of the vision commands, `faceid eval --variant`): options changed by a
// list of key=value words separated by spaces, e.g. "aspect=1 lm_pass=1 align=ransac". "base" changes
// nothing. choose= only matters to eval.
struct PipelineVariant {
    std::string name;
    PipelineOptions options;
    bool largest = false;
    bool flip = true;
};

PipelineVariant parse_variant(const std::string& spec, const PipelineOptions& base, bool largest) {
    PipelineVariant v{spec, base, largest, base.flip_average};
    std::stringstream words(spec);
    std::string word;
    auto bad = [&](const std::string& why) {
        return Error(ErrorCode::kBadRequest, "pipeline variant \"" + spec + "\": " + why);
    };
    while (words >> word) {
        if (word == "base") continue;
        const auto eq = word.find('=');
        if (eq == std::string::npos) throw bad("expected key=value, got " + word);
        const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
        try {
            if (key == "det_size") {
                const auto x = value.find('x');
                if (x == std::string::npos) throw bad("det_size is WxH");
                v.options.detector.input_width = std::stoi(value.substr(0, x));
                v.options.detector.input_height = std::stoi(value.substr(x + 1));
            } else if (key == "aspect") {
                v.options.detector.keep_aspect = value == "1";
            } else if (key == "tile2") {
                v.options.detector.tile_2x2_above = std::stoi(value);
            } else if (key == "tile3") {
                v.options.detector.tile_3x3_above = std::stoi(value);
            } else if (key == "lm_pass") {
                v.options.landmarks.second_pass = value == "2";
            } else if (key == "lm_box") {
                v.options.landmarks.first_box_scale = std::stof(value);
            } else if (key == "lm_area") {
                v.options.landmarks.area_resize = value == "1";
            } else if (key == "align") {
                if (value == "ls")
                    v.options.align.method = AlignOptions::Method::kLeastSquares;
                else if (value == "ransac")
                    v.options.align.method = AlignOptions::Method::kRansac;
                else if (value == "lmeds")
                    v.options.align.method = AlignOptions::Method::kLmeds;
                else
                    throw bad("align is ls, ransac or lmeds");
            } else if (key == "align_aa") {
                v.options.align.antialias_below = std::stof(value);
            } else if (key == "choose") {
                if (value != "largest" && value != "central") throw bad("choose is largest or central");
                v.largest = value == "largest";
            } else if (key == "flip") {
                v.flip = value == "1";
                v.options.flip_average = v.flip;
            } else {
                throw bad("unknown key " + key);
            }
        } catch (const std::logic_error&) {  // std::stoi / std::stof
            throw bad("bad number in " + word);
        }
    }
    return v;
}

PipelineOptions pipeline_options(const VisionFlags& flags) {
    PipelineOptions options;
    options.flip_average = !flags.no_flip;
    options.landmarks.second_pass = !flags.single_landmark_pass;
    options.detector.score_threshold = flags.score_threshold;
    if (!flags.pipeline.empty()) options = parse_variant(flags.pipeline, options, false).options;
    return options;
}

nlohmann::json face_json(const AnalyzedFace& face) {
    return {{"box", box_to_json(face.box)},
            {"score", std::round(face.box.score * 1000) / 1000},
            {"landmarks", landmarks_to_json(face.points)},
            {"quality", quality_to_json(face.quality)}};
}

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

int run_detect(const VisionFlags& flags, const std::vector<std::string>& images) {
    FacePipeline pipeline(resolve_models(flags.models), pipeline_options(flags));
    int status = 0;
    for (const auto& path : images) {
        nlohmann::json out = {{"image", path}};
        try {
            const cv::Mat image = pipeline.decode(read_file_bytes(path));
            out["width"] = image.cols;
            out["height"] = image.rows;
            out["faces"] = nlohmann::json::array();
            for (const auto& box : pipeline.detect(image))
                out["faces"].push_back(face_json(pipeline.analyze(image, box, /*embed=*/false)));
        } catch (const Error& e) {
            out["error"] = {{"code", e.info().name}, {"message", e.what()}};
            status = 1;
        }
        std::cout << out.dump() << "\n";
    }
    return status;
}

// The embedding of the largest face of one photo.
Embedding embed_largest(FacePipeline& pipeline, const std::string& path) {
    const cv::Mat image = pipeline.decode(read_file_bytes(path));
    const auto boxes = pipeline.detect(image);
    if (boxes.empty()) throw Error(ErrorCode::kNoFace, "no face in " + path);
    return pipeline.analyze(image, boxes.front()).embedding;
}

int run_embed(const VisionFlags& flags, const std::string& path) {
    FacePipeline pipeline(resolve_models(flags.models), pipeline_options(flags));
    std::cout << nlohmann::json{{"image", path},
                                {"embedding", embedding_to_json(embed_largest(pipeline, path))}}
                     .dump()
              << "\n";
    return 0;
}

int run_compare(const VisionFlags& flags, const std::string& a, const std::string& b) {
    FacePipeline pipeline(resolve_models(flags.models), pipeline_options(flags));
    const double cosine = cosine_similarity(embed_largest(pipeline, a), embed_largest(pipeline, b));
    const MatchPolicy policy;
    std::cout << nlohmann::json{{"a", a},
                                {"b", b},
                                {"similarity", std::round(cosine * 10000) / 10000},
                                {"percentage", std::round(policy.probability(cosine, 1) * 1000) / 10},
                                {"threshold", MatchPolicy::kVerifyThreshold},
                                {"same", cosine >= MatchPolicy::kVerifyThreshold}}
                     .dump()
              << "\n";
    return 0;
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

void add_vision_commands(CLI::App& app) {
    static VisionFlags flags;
    static std::vector<std::string> images;
    static std::string a, b, embed_path;
    static EvalFlags eval;
    static int repeats = 15;

    auto* detect = app.add_subcommand("detect", "Detect faces: one JSON line per image");
    add_vision_flags(detect, flags);
    detect->add_option("images", images, "Image files")->required();
    detect->final_callback([] { throw CLI::RuntimeError(run_detect(flags, images)); });

    auto* embed = app.add_subcommand("embed", "Print the embedding of the largest face");
    add_vision_flags(embed, flags);
    embed->add_option("image", embed_path)->required();
    embed->final_callback([] { throw CLI::RuntimeError(run_embed(flags, embed_path)); });

    auto* compare = app.add_subcommand("compare", "Compare the largest faces of two photos");
    add_vision_flags(compare, flags);
    compare->add_option("a", a)->required();
    compare->add_option("b", b)->required();
    compare->final_callback([] { throw CLI::RuntimeError(run_compare(flags, a, b)); });

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
    evaluate->final_callback([evaluate] {
        if (evaluate->got_subcommand("identify")) return;  // it ran its own callback
        if (eval.pairs.empty() || eval.root.empty())
            throw CLI::ValidationError("eval", "give --pairs and --root (or the identify sub-command)");
        throw CLI::RuntimeError(run_eval(flags, eval));
    });

    auto* bench = app.add_subcommand("bench", "Benchmarks that print figures");
    bench->require_subcommand(1);
    static bench::IndexBenchOptions index_options;
    auto* index = bench->add_subcommand("index", "Vector indexes on a synthetic face-shaped gallery");
    bench::add_index_bench_options(*index, index_options);
    index->final_callback([] { throw CLI::RuntimeError(bench::run_index_bench(index_options, std::cout)); });

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
