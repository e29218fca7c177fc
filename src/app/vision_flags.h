#pragma once
// The flags the photo, eval and bench commands share: where the models are, and the pipeline options
// (including a variant written as key=value words, to compare pipelines side by side).
#include "vision/face_pipeline.h"

#include <CLI/CLI.hpp>

#include <string>

namespace faceid::app {

struct VisionFlags {
    std::string models;
    bool no_flip = false;
    bool single_landmark_pass = false;
    float score_threshold = DetectorOptions{}.score_threshold;
    std::string pipeline;  // key=value words, see parse_variant
};

void add_vision_flags(CLI::App* cmd, VisionFlags& flags);

// A pipeline variant (`--pipeline` of the vision commands, `faceid eval --variant`): options changed by a
// list of key=value words separated by spaces, e.g. "aspect=1 lm_pass=1 align=ransac". "base" changes
// nothing. choose= only matters to eval.
struct PipelineVariant {
    std::string name;
    PipelineOptions options;
    bool largest = false;
    bool flip = true;
};

PipelineVariant parse_variant(const std::string& spec, const PipelineOptions& base, bool largest);

// The pipeline options the flags ask for.
PipelineOptions pipeline_options(const VisionFlags& flags);

}  // namespace faceid::app
