// faceid detect, embed and compare: one photo or two, straight through the pipeline, JSON out.
#include "app/face_commands.h"

#include "app/command_setup.h"
#include "app/vision_flags.h"
#include "core/error.h"
#include "schemas/face_json.h"
#include "services/calibration/match_decision.h"

#include <cmath>
#include <iostream>

namespace faceid::app {
namespace {

nlohmann::json face_json(const AnalyzedFace& face) {
    return {{"box", box_to_json(face.box)},
            {"score", std::round(face.box.score * 1000) / 1000},
            {"landmarks", landmarks_to_json(face.points)},
            {"quality", quality_to_json(face.quality)}};
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

}  // namespace

void add_face_commands(CLI::App& app) {
    static VisionFlags flags;
    static std::vector<std::string> images;
    static std::string a, b, embed_path;

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
}

}  // namespace faceid::app
