#include "app/rotation_eval_command.h"

#include "app/command_setup.h"
#include "services/rotation_evaluation.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace faceid::app {
namespace {

struct RotationFlags {
    std::string root, models;
    int every = 1;  // every n-th photo (for a quick look at a large folder such as LFW)
};

int run_rotation_eval(const RotationFlags& flags) {
    namespace fs = std::filesystem;
    std::vector<fs::path> photos;
    for (const auto& entry : fs::recursive_directory_iterator(flags.root)) {
        auto ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png"))
            photos.push_back(entry.path());
    }
    std::sort(photos.begin(), photos.end());  // the same sample on every run
    std::vector<fs::path> sample;
    for (size_t i = 0; i < photos.size(); i += size_t(std::max(1, flags.every))) sample.push_back(photos[i]);
    AppConfig config;
    FacePipeline pipeline(resolve_models(flags.models), pipeline_options(config));
    std::cout << sample.size() << " photos from " << flags.root << "\n"
              << rotation_report(evaluate_rotation(pipeline, sample));
    return 0;
}

}  // namespace

void add_rotation_eval_command(CLI::App& eval) {
    static RotationFlags flags;
    auto* rotation = eval.add_subcommand(
        "rotation",
        "Photos turned a quarter without EXIF: right turns back / turned photos, and upright "
        "photos wrongly turned");
    rotation->add_option("--root", flags.root, "Folder of photos (searched recursively), e.g. photos-multi")
        ->required();
    rotation->add_option("--models", flags.models, "Folder with the ONNX models");
    rotation->add_option("--every", flags.every, "Take every n-th photo (sorted by path)")
        ->check(CLI::Range(1, 1000000));
    rotation->final_callback([] { throw CLI::RuntimeError(run_rotation_eval(flags)); });
}

}  // namespace faceid::app
