#include "app/vision_flags.h"

#include "core/error.h"

#include <sstream>
#include <stdexcept>

namespace faceid::app {

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

}  // namespace faceid::app
