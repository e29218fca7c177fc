// Fuzzes what an uploaded photo goes through first: the header sniffing, the bounded decode (size
// limits, EXIF orientation) and, when the models are present, the pipeline entry on whatever decoded
// (detection, and landmarks/alignment/quality of the first face), so odd sizes such as 1x1 or 1x4000
// reach the resizing and tiling code. Expected refusals are faceid::Error; anything else is a bug.
#include "core/error.h"
#include "vision/face_pipeline.h"
#include "vision/image_decoder.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>

namespace {

faceid::FacePipeline* pipeline() {
    static std::unique_ptr<faceid::FacePipeline> instance = [] {
        std::unique_ptr<faceid::FacePipeline> p;
        const char* env = std::getenv("FACEID_MODELS_DIR");
        const std::filesystem::path dir = env && *env ? env : FACEID_DEFAULT_MODELS_DIR;
        if (!std::filesystem::exists(dir / "fr_detect.onnx")) return p;
        faceid::PipelineOptions options;
        options.decode.max_pixels = 1'000'000;  // keeps each run short; the limit itself is fuzzed too
        options.flip_average = false;
        p = std::make_unique<faceid::FacePipeline>(faceid::ModelFiles(dir), options);
        return p;
    }();
    return instance.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        (void)faceid::read_image_header(bytes);
    } catch (const faceid::Error&) {
    }
    try {
        faceid::DecodeLimits limits;
        limits.max_pixels = 1'000'000;
        const cv::Mat image = faceid::decode_image(bytes, limits);
        if (image.empty() || image.type() != CV_8UC3) std::abort();  // decode promises a BGR image
        if (auto* p = pipeline()) {
            const auto boxes = p->detect(image);
            if (!boxes.empty()) (void)p->analyze(image, boxes.front(), /*embed=*/false);
        }
    } catch (const faceid::Error&) {
    }
    return 0;
}
