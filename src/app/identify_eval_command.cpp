#include "app/identify_eval_command.h"

#include "app/command_setup.h"
#include "app/gallery_storage.h"
#include "app/photo_analysis_cache.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "services/calibration/score_model_fit.h"
#include "services/identification_split.h"
#include "services/open_set_metrics.h"
#include "services/search_service.h"
#include "services/uploaded_photo.h"

#include <opencv2/core.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace faceid::app {
namespace {

namespace fs = std::filesystem;

struct IdentifyFlags {
    std::string root, fit_people, cache, out = "build/eval-identify", models, sizes = "100,1000,0";
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
    int templates = 1;  // templates per enrolled person: 1, or up to 3 with the 4th and 5th photos
    double target_fpir = 0.01;
    std::optional<double> threshold;  // a fixed threshold instead (e.g. 0.333, the old 1:1 decision)
    bool analyse_only = false, fit = false;
    bool no_flip = false;  // embed without flip-averaging (the service's flip_average=false)
};

const char* role_name(PhotoRole role) {
    switch (role) {
        case PhotoRole::kEnrolment:
            return "enrol";
        case PhotoRole::kExtraTemplate:
            return "extra";
        case PhotoRole::kProbe:
            return "probe";
    }
    return "?";
}

// What registration (enrolment, extra templates) or search (probes) makes of a photo: registration takes
// the largest face that passes the gates and embeds only such a face; search takes the largest face and
// embeds it whatever its quality (the decision may then treat a weak probe differently).
PhotoAnalysis analyse_photo(FacePipeline& pipeline, const std::string& path, PhotoRole role) {
    PhotoAnalysis analysis;
    try {
        const auto photo = detect_faces(pipeline, read_file_bytes(path));
        AnalyzedFace face = role == PhotoRole::kProbe ? pipeline.analyze(photo.image, photo.boxes[0], false)
                                                      : choose_registration_face(pipeline, photo).face;
        analysis.status = PhotoAnalysis::Status::kFace;
        for (const auto reason : face.quality.reasons)
            analysis.reasons.emplace_back(quality_reason_name(reason));
        analysis.quality = face.quality.score;
        if (role == PhotoRole::kProbe || face.quality.passed()) {
            std::vector<AnalyzedFace*> faces{&face};
            pipeline.embed(faces, pipeline.options().flip_average);
            analysis.embedding = face.embedding;
        }
    } catch (const Error& e) {
        analysis.status = e.code() == ErrorCode::kNoFace ? PhotoAnalysis::Status::kNoFace
                                                         : PhotoAnalysis::Status::kUnreadable;
    }
    return analysis;
}

// Analyses every photo of the split that the cache does not hold yet, on `threads` pipelines.
void analyse_split(const std::vector<SplitPhoto>& photos, PhotoAnalysisCache& cache, const ModelFiles& models,
                   const PipelineOptions& options, int threads) {
    std::vector<const SplitPhoto*> todo;
    for (const auto& p : photos)
        if (!cache.find(std::string(role_name(p.role)) + ":" + p.path)) todo.push_back(&p);
    std::fprintf(stderr, "eval identify: %zu photos, %zu to analyse\n", photos.size(), todo.size());
    std::mutex mutex;
    std::atomic<size_t> next{0}, done{0};
    const double start = monotonic_seconds();
    auto worker = [&] {
        FacePipeline pipeline(models, options);
        for (size_t i = next++; i < todo.size(); i = next++) {
            auto analysis = analyse_photo(pipeline, todo[i]->path, todo[i]->role);
            {
                std::lock_guard lock(mutex);
                cache.put(std::string(role_name(todo[i]->role)) + ":" + todo[i]->path, std::move(analysis));
            }
            const size_t n = ++done;
            if (n % 500 == 0 || n == todo.size())
                std::fprintf(stderr, "eval identify: %zu/%zu analysed, %.1f photos/s\n", n, todo.size(),
                             double(n) / (monotonic_seconds() - start));
        }
    };
    cv::setNumThreads(1);
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    cache.save();
}

std::string cache_key(PhotoRole role, const std::string& path) {
    return std::string(role_name(role)) + ":" + path;
}

// The split with each photo's analysis: who is enrolled with which templates, and the probes.
struct EnrolledPerson {
    std::string name;
    bool fit = false;
    std::vector<Embedding> templates;  // the 1st photo's, then the extra photos' that passed the gates
    std::vector<double> quality;
};
struct SplitProbe {
    std::string photo;
    bool fit = false;
    std::optional<size_t> enrolled;  // index into enrolled: a known probe
    PhotoAnalysis analysis;
};
struct AssembledSplit {
    std::vector<EnrolledPerson> enrolled;
    std::vector<SplitProbe> probes;
    size_t refused_enrolments = 0;
    size_t known_probes() const {
        return size_t(std::count_if(probes.begin(), probes.end(), [](const auto& p) { return p.enrolled; }));
    }
    size_t stranger_probes() const { return probes.size() - known_probes(); }
};

AssembledSplit assemble_split(const std::vector<SplitPerson>& people, const std::vector<SplitPhoto>& photos,
                              const PhotoAnalysisCache& cache) {
    AssembledSplit split;
    std::vector<std::optional<size_t>> enrolled_index(people.size());
    for (const auto& photo : photos) {  // enrolment photos first: probes need to know the outcome
        if (photo.role != PhotoRole::kEnrolment) continue;
        const auto analysis = cache.find(cache_key(photo.role, photo.path));
        if (!analysis || !analysis->passed() || analysis->embedding.empty()) {
            ++split.refused_enrolments;
            continue;
        }
        enrolled_index[photo.person] = split.enrolled.size();
        split.enrolled.push_back({people[photo.person].name,
                                  people[photo.person].fit,
                                  {analysis->embedding},
                                  {analysis->quality}});
    }
    for (const auto& photo : photos) {
        const auto analysis = cache.find(cache_key(photo.role, photo.path));
        if (photo.role == PhotoRole::kExtraTemplate) {
            if (enrolled_index[photo.person] && analysis && analysis->passed() &&
                !analysis->embedding.empty()) {
                auto& person = split.enrolled[*enrolled_index[photo.person]];
                person.templates.push_back(analysis->embedding);
                person.quality.push_back(analysis->quality);
            }
        } else if (photo.role == PhotoRole::kProbe) {
            split.probes.push_back({photo.path, people[photo.person].fit, enrolled_index[photo.person],
                                    analysis.value_or(PhotoAnalysis{})});
        }
    }
    return split;
}

std::vector<size_t> parse_sizes(const std::string& text, size_t all) {
    std::vector<size_t> sizes;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const long long n = std::stoll(item);
        sizes.push_back(n <= 0 || size_t(n) > all ? all : size_t(n));
    }
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    return sizes;
}

// The enrolled people of a gallery of `size`: the first `size` of a fixed shuffle (seed 1), so that the
// smaller galleries are subsets of the larger ones.
std::vector<size_t> gallery_members(size_t enrolled, size_t size) {
    std::vector<size_t> order(enrolled);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 random(1);
    std::shuffle(order.begin(), order.end(), random);
    order.resize(std::min(size, enrolled));
    std::sort(order.begin(), order.end());
    return order;
}

struct SizeReport {
    size_t people = 0, templates = 0;
    double threshold = 0, predicted_fpir = 0;
    std::vector<ProbeOutcome> all, check;  // every probe; the probes of people not used in fitting
    // Strangers, and the probes of people who have extra template photos (enrolled with them when
    // --templates > 1): the same probes with 1 or 3 templates show what several photos per person buy.
    std::vector<ProbeOutcome> several_templates;
    std::vector<DetPoint> det;
};

void print_rates(const char* label, const SizeReport& report, const std::vector<ProbeOutcome>& probes) {
    const auto at_default = rates_of_decisions(probes);
    const auto at1 = fnir_at_fpir(probes, 0.01);
    const auto at01 = fnir_at_fpir(probes, 0.001);
    std::printf(
        "identify probes=%s gallery=%zu templates=%zu known=%zu unknown=%zu threshold=%.4f "
        "predicted_fpir=%.4f "
        "fpir=%.4f fnir=%.4f wrong_person=%.4f fnir_at_fpir_1%%=%.4f (threshold %.4f, %zu strangers above) "
        "fnir_at_fpir_0.1%%=%.4f (threshold %.4f, %zu strangers above) rank1=%.4f\n",
        label, report.people, report.templates, at_default.known, at_default.unknown, report.threshold,
        report.predicted_fpir, at_default.fpir, at_default.fnir, at_default.wrong_person, at1.fnir,
        at1.threshold, size_t(std::lround(at1.fpir * double(at_default.unknown))), at01.fnir, at01.threshold,
        size_t(std::lround(at01.fpir * double(at_default.unknown))), rank1(probes));
}

void print_reliability(const char* label, const std::vector<ProbeOutcome>& probes, const fs::path& csv) {
    const auto bins =
        reliability_table(probes, {0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0});
    std::ofstream out(csv);
    out << "low,high,probes,predicted,observed\n";
    double worst = 0;
    for (const auto& b : bins) {
        std::printf("reliability probes=%s bin=%.2f-%.2f n=%zu predicted=%.3f observed=%.3f\n", label, b.low,
                    b.high, b.probes, b.predicted, b.observed);
        out << b.low << ',' << b.high << ',' << b.probes << ',' << b.predicted << ',' << b.observed << '\n';
        worst = std::max(worst, std::abs(b.predicted - b.observed));
    }
    std::printf("reliability probes=%s bins=%zu worst_gap=%.3f\n", label, bins.size(), worst);
}

SizeReport evaluate_gallery(const AssembledSplit& split, size_t size, int templates_per_person,
                            const AppConfig& base, PipelinePool& pipelines, const fs::path& out) {
    SizeReport report;
    const auto members = gallery_members(split.enrolled.size(), size);
    AppConfig config = base;
    config.data_dir =
        (out / ("gallery-" + std::to_string(members.size()) + "x" + std::to_string(templates_per_person)))
            .string();
    fs::remove_all(config.data_dir);
    spdlog::set_level(spdlog::level::warn);
    GalleryStorage storage(config);
    auto& gallery = storage.gallery();
    std::map<size_t, std::string> person_ids;  // enrolled index -> stored person id
    std::set<size_t> with_several_templates;
    for (const size_t m : members) {
        const auto& person = split.enrolled[m];
        PersonRecord record;
        record.id = new_person_id();
        record.name = person.name;
        record.created_at_ms = record.updated_at_ms = now_ms();
        for (size_t t = 0; t < person.templates.size() && int(t) < templates_per_person; ++t) {
            FaceRecord face;
            face.label = random_label();
            face.id = face_id_from_label(face.label);
            face.person_id = record.id;
            face.embedding = person.templates[t];
            face.quality_score = person.quality[t];
            face.created_at_ms = now_ms();
            if (t == 0) {
                record.primary_face_id = face.id;
                gallery.create_person(record, face);
            } else {
                gallery.add_template({face, std::nullopt, {}});
            }
        }
        person_ids[m] = record.id;
        if (person.templates.size() > 1) with_several_templates.insert(m);  // compared across --templates
    }
    SearchService search(pipelines, gallery, search_options(config));
    SearchRequest request;
    request.top_k = 5;
    const auto decision = search.decision_for(request);
    report.people = members.size();
    report.templates = gallery.size();
    report.threshold = decision.threshold;
    report.predicted_fpir = decision.predicted_fpir;
    for (const auto& probe : split.probes) {
        const bool known = probe.enrolled && person_ids.count(*probe.enrolled);
        if (probe.enrolled && !known) continue;  // enrolled, but not in this smaller gallery
        ProbeOutcome outcome;
        outcome.known = known;
        if (known) outcome.truth = person_ids[*probe.enrolled];
        if (!probe.analysis.embedding.empty()) {
            AnalyzedFace face;
            face.embedding = probe.analysis.embedding;
            for (const auto& name : probe.analysis.reasons)
                if (const auto reason = parse_quality_reason(name)) face.quality.reasons.push_back(*reason);
            const auto result = search.identify(face, request);  // the service's own decision
            outcome.matched = result.match.has_value();
            const auto nearest = gallery.search(face.embedding, 1, -1.0);  // the best score, whatever it is
            if (!nearest.empty()) {
                outcome.best = nearest.front().person.id;
                outcome.best_score = nearest.front().similarity;
                outcome.probability = search.policy().probability(outcome.best_score, report.templates);
                if (outcome.matched && result.match->person.id != outcome.best)
                    throw Error(ErrorCode::kInternal, "the decision matched another person than the nearest");
            }
        }
        report.all.push_back(outcome);
        if (!probe.fit) report.check.push_back(outcome);
        if (!known || with_several_templates.count(*probe.enrolled))
            report.several_templates.push_back(outcome);
    }
    // The percentage assumes as many strangers as enrolled people among the faces searched: the
    // reliability tables weigh the two kinds of probe equally (each set separately).
    for (auto* set : {&report.all, &report.check}) {
        const size_t known =
            size_t(std::count_if(set->begin(), set->end(), [](const auto& p) { return p.known; }));
        for (auto& p : *set)
            p.weight = p.known ? 0.5 / double(std::max<size_t>(known, 1))
                               : 0.5 / double(std::max<size_t>(set->size() - known, 1));
    }
    report.det = det_curve(report.all);
    std::ofstream det(out / ("det-" + std::to_string(report.people) + ".csv"));
    det << "threshold,fpir,fnir\n";
    for (const auto& p : report.det) det << p.threshold << ',' << p.fpir << ',' << p.fnir << '\n';
    print_rates("all", report, report.all);
    print_rates("check", report, report.check);
    if (!with_several_templates.empty())
        print_rates("people-with-extra-photos", report, report.several_templates);
    const std::string suffix = std::to_string(report.people);
    print_reliability(("all@" + suffix).c_str(), report.all, out / ("reliability-all-" + suffix + ".csv"));
    print_reliability(("check@" + suffix).c_str(), report.check,
                      out / ("reliability-check-" + suffix + ".csv"));
    storage.shut_down();
    return report;
}

// FNIR against FPIR on log axes, one curve per gallery size, with each size's default decision marked.
void write_det_plot(const std::vector<SizeReport>& reports, const fs::path& file) {
    const double w = 640, h = 480, left = 70, right = 20, top = 20, bottom = 60;
    const double x_min = -3.5, x_max = 0, y_min = -2, y_max = 0;  // log10 FPIR, log10 FNIR
    auto x = [&](double fpir) {
        return left + (std::clamp(std::log10(std::max(fpir, 1e-9)), x_min, x_max) - x_min) / (x_max - x_min) *
                          (w - left - right);
    };
    auto y = [&](double fnir) {
        return top + (y_max - std::clamp(std::log10(std::max(fnir, 1e-9)), y_min, y_max)) / (y_max - y_min) *
                         (h - top - bottom);
    };
    std::ofstream svg(file);
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
        << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
    for (double e = x_min; e <= x_max + 1e-9; e += 0.5) {
        svg << "<line x1='" << x(std::pow(10, e)) << "' y1='" << top << "' x2='" << x(std::pow(10, e))
            << "' y2='" << h - bottom << "' stroke='#ddd'/>";
        if (std::abs(e - std::round(e)) < 1e-9)
            svg << "<text x='" << x(std::pow(10, e)) << "' y='" << h - bottom + 16
                << "' text-anchor='middle'>1e" << int(e) << "</text>\n";
    }
    for (double e = y_min; e <= y_max + 1e-9; e += 1) {
        svg << "<line x1='" << left << "' y1='" << y(std::pow(10, e)) << "' x2='" << w - right << "' y2='"
            << y(std::pow(10, e)) << "' stroke='#ddd'/><text x='" << left - 6 << "' y='"
            << y(std::pow(10, e)) + 4 << "' text-anchor='end'>1e" << int(e) << "</text>\n";
    }
    svg << "<text x='" << (left + w - right) / 2 << "' y='" << h - 20
        << "' text-anchor='middle'>FPIR (strangers matched to someone)</text>\n<text x='16' y='"
        << (top + h - bottom) / 2 << "' transform='rotate(-90 16 " << (top + h - bottom) / 2
        << ")' text-anchor='middle'>FNIR (enrolled people missed)</text>\n";
    const char* colours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"};
    for (size_t r = 0; r < reports.size(); ++r) {
        const char* colour = colours[r % 5];
        svg << "<polyline fill='none' stroke='" << colour << "' stroke-width='2' points='";
        for (const auto& p : reports[r].det) svg << x(p.fpir) << ',' << y(p.fnir) << ' ';
        svg << "'/>\n";
        const auto at_default = rates_of_decisions(reports[r].all);
        svg << "<circle cx='" << x(at_default.fpir) << "' cy='" << y(at_default.fnir) << "' r='5' fill='"
            << colour << "'/><text x='" << w - right - 150 << "' y='" << top + 16 + 16 * double(r)
            << "' fill='" << colour << "'>gallery " << reports[r].people << " (dot: default)</text>\n";
    }
    svg << "</svg>\n";
}

// The model's threshold and predicted FPIR by gallery size, with the measured FPIR where the data reaches.
void print_model_vs_measured(const std::vector<SizeReport>& reports, const MatchPolicy& policy) {
    std::vector<size_t> sizes = {10, 100, 1000, 10000, 100000, 1000000};
    for (const auto& r : reports) sizes.push_back(r.templates);
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    for (const size_t n : sizes) {
        const auto decision = policy.decide(n);
        std::printf("model templates=%zu threshold=%.4f predicted_fpir=%.4f", n, decision.threshold,
                    decision.predicted_fpir);
        for (const auto& r : reports)
            if (r.templates == n) {
                const auto measured = rates_of_decisions(r.all);
                const auto empirical = fnir_at_fpir(r.all, policy.settings().target_fpir);
                std::printf(" measured_fpir=%.4f measured_threshold_for_target=%.4f", measured.fpir,
                            empirical.threshold);
            }
        std::printf("\n");
    }
}

// Fits the two score models on the fit side (people named in the fit list): impostor scores of fit probes
// against fit people, and the best candidate of fit probes in random fit galleries of many sizes.
struct FittedModels {
    ImpostorModel impostors;
    MatchProbabilityModel probability;
};

FittedModels fit_models(const AssembledSplit& split) {
    std::vector<size_t> gallery;  // fit-side enrolled people, first template
    for (size_t i = 0; i < split.enrolled.size(); ++i)
        if (split.enrolled[i].fit) gallery.push_back(i);
    std::vector<const SplitProbe*> probes;
    for (const auto& p : split.probes)
        if (p.fit && !p.analysis.embedding.empty()) probes.push_back(&p);
    // Same person under two names is the one thing LFW's labels get wrong among strangers (a handful of
    // pairs at 0.95-0.995); such scores are label noise, not impostors, and are left out of the fit.
    constexpr float kLabelNoise = 0.9f;
    std::vector<std::vector<float>> scores(probes.size());
    for (size_t p = 0; p < probes.size(); ++p)
        for (const size_t g : gallery) {
            if (probes[p]->enrolled == g) continue;
            const float s =
                float(cosine_similarity(probes[p]->analysis.embedding, split.enrolled[g].templates[0]));
            if (s < kLabelNoise) scores[p].push_back(s);
        }
    FittedModels fitted;
    fitted.impostors = fit_impostor_model(scores);
    std::printf("fit: %zu probes x %zu enrolled people (fit side)\n", probes.size(), gallery.size());

    // The genuine scores: each enrolled fit probe against its own person's template.
    std::vector<float> genuine;
    for (const auto* probe : probes)
        if (probe->enrolled)
            genuine.push_back(float(
                cosine_similarity(probe->analysis.embedding, split.enrolled[*probe->enrolled].templates[0])));
    fitted.probability = fit_match_probability(genuine);
    return fitted;
}

void print_fitted_models(const FittedModels& fitted, const fs::path& out) {
    const std::string text = "// impostor model\n" + to_cpp(fitted.impostors) + "\n// match probability\n" +
                             to_cpp(fitted.probability) + "\n";
    std::printf("%s", text.c_str());
    std::ofstream(out / "fitted-models.txt") << text;
    const MatchPolicy policy({}, fitted.impostors, fitted.probability);
    for (const size_t n : {size_t(1), size_t(100), size_t(3700), size_t(100000)}) {
        std::printf("fit probability templates=%zu:", n);
        for (const double s : {0.3, 0.4, 0.5, 0.6, 0.7, 0.9})
            std::printf(" %.2f->%.3f", s, policy.probability(s, n));
        std::printf("\n");
    }
    for (const size_t n : {size_t(10), size_t(100), size_t(1000), size_t(3700), size_t(100000)})
        std::printf("fit threshold_for_fpir_1%% templates=%zu: %.4f\n", n,
                    fitted.impostors.threshold_for(0.01, double(n)));
}

// Every pipeline setting that changes an embedding: a cache made with other settings is not used.
std::string pipeline_settings_key(const PipelineOptions& o) {
    const auto& d = o.detector;
    return "flip=" + std::to_string(o.flip_average) +
           ";landmarks2=" + std::to_string(o.landmarks.second_pass) +
           ";lm_box=" + std::to_string(o.landmarks.first_box_scale) +
           ";lm_area=" + std::to_string(o.landmarks.area_resize) +
           ";align=" + std::to_string(int(o.align.method)) +
           ";align_aa=" + std::to_string(o.align.antialias_below) + ";det=" + std::to_string(d.input_width) +
           "x" + std::to_string(d.input_height) + ";aspect=" + std::to_string(d.keep_aspect) +
           ";tiles=" + std::to_string(d.tile_2x2_above) + "/" + std::to_string(d.tile_3x3_above) +
           ";score=" + std::to_string(d.score_threshold);
}

int run_identify_eval(const IdentifyFlags& flags) {
    const fs::path root = flags.root;
    const fs::path fit_file =
        flags.fit_people.empty() ? root / "peopleDevTrain.txt" : fs::path(flags.fit_people);
    const auto fit_people = fs::exists(fit_file) ? read_people_list(fit_file) : std::set<std::string>{};
    const auto people = read_split_people(root, fit_people);
    const auto photos = split_photos(people);
    const auto models = resolve_models(flags.models);
    AppConfig config;
    config.flip_average = !flags.no_flip;
    const auto options = pipeline_options(config);
    PhotoAnalysisCache cache(
        flags.cache.empty() ? fs::path(flags.out) / "analysis-cache" : fs::path(flags.cache),
        pipeline_settings_key(options));
    analyse_split(photos, cache, models, options, flags.threads);
    if (flags.analyse_only) return 0;

    const auto split = assemble_split(people, photos, cache);
    std::printf(
        "eval identify: %zu people enrolled (%zu refused by the gates), %zu known probes, %zu strangers\n",
        split.enrolled.size(), split.refused_enrolments, split.known_probes(), split.stranger_probes());
    fs::create_directories(flags.out);
    if (flags.fit) {
        print_fitted_models(fit_models(split), flags.out);
        return 0;
    }
    config.target_fpir = flags.target_fpir;
    config.threshold = flags.threshold;
    PipelinePool pipelines(models, options, 1);
    std::vector<SizeReport> reports;
    for (const size_t size : parse_sizes(flags.sizes, split.enrolled.size()))
        reports.push_back(evaluate_gallery(split, size, flags.templates, config, pipelines, flags.out));
    write_det_plot(reports, flags.out / fs::path("det.svg"));
    print_model_vs_measured(reports, search_options(config).policy);
    return 0;
}

}  // namespace

void add_identify_eval_command(CLI::App& eval) {
    static IdentifyFlags flags;
    auto* identify = eval.add_subcommand(
        "identify", "Open-set identification benchmark (1:N): FPIR, FNIR, rank-1, DET curve, reliability");
    identify->add_option("--root", flags.root, "Folder of people (one sub-folder each), e.g. LFW")
        ->required();
    identify->add_option("--fit-people", flags.fit_people,
                         "People the models are fitted on (default: ROOT/peopleDevTrain.txt)");
    identify->add_option("--cache", flags.cache, "Folder that keeps each photo's analysis between runs");
    identify->add_option("--out", flags.out, "Folder for the DET curve, its plot and the reliability table");
    identify->add_option("--models", flags.models, "Folder with the ONNX models");
    identify->add_option("--threads", flags.threads, "Pipelines working in parallel");
    identify->add_option("--sizes", flags.sizes, "Gallery sizes in people, comma-separated (0 = everyone)");
    identify
        ->add_option("--templates", flags.templates,
                     "Templates per person (1, or up to 3: 4th and 5th photos)")
        ->check(CLI::Range(1, 3));
    identify->add_option("--target-fpir", flags.target_fpir, "The decision's target FPIR")
        ->check(CLI::Range(0.0001, 0.5));
    identify
        ->add_option("--threshold", flags.threshold, "A fixed decision threshold instead of the target FPIR")
        ->check(CLI::Range(-1.0, 1.0));
    identify->add_flag("--fit", flags.fit, "Fit the score models on the fit side and print them as C++");
    identify->add_flag("--analyse-only", flags.analyse_only, "Only fill the cache");
    identify->add_flag("--no-flip", flags.no_flip, "Embed without flip-averaging (flip_average=false)");
    identify->final_callback([] { throw CLI::RuntimeError(run_identify_eval(flags)); });
}

}  // namespace faceid::app
