#include "vision/face_pipeline.h"

#include "core/clock.h"

namespace faceid {
namespace {

// Adds the milliseconds since construction to a stage counter when it goes out of scope.
class StageTimer {
  public:
    explicit StageTimer(double& counter) : counter_(counter), start_(monotonic_seconds()) {}
    ~StageTimer() { counter_ += (monotonic_seconds() - start_) * 1000.0; }

  private:
    double& counter_;
    double start_;
};

}  // namespace

FacePipeline::FacePipeline(const ModelFiles& models, PipelineOptions options)
    : models_(models),
      options_(options),
      detector_(models.path("fr_detect.onnx"), options.detector),
      landmarker_(models.path("fr_landmark.onnx"), options.landmarks),
      embedder_(models.path("fr_feature.onnx"), options.flip_average) {}

void FacePipeline::set_options(const PipelineOptions& options) {
    options_ = options;
    detector_.set_options(options.detector);
    landmarker_.set_options(options.landmarks);
    embedder_.set_flip_average(options.flip_average);
}

void FacePipeline::start_budget() {
    deadline_ = Deadline::in(options_.time_budget_seconds);
}

cv::Mat FacePipeline::decode(std::string_view bytes) {
    StageTimer timer(times_.decode);
    return decode_image(bytes, options_.decode, deadline_);
}

std::vector<FaceBox> FacePipeline::detect(const cv::Mat& image) {
    deadline_.check("detect");
    StageTimer timer(times_.detect);
    return detector_.detect(image);
}

std::vector<FaceBox> FacePipeline::detect(const cv::Mat& image, float score_threshold) {
    deadline_.check("detect");
    StageTimer timer(times_.detect);
    auto options = detector_.options();
    options.score_threshold = score_threshold;
    detector_.set_options(options);
    auto boxes = detector_.detect(image);
    detector_.set_options(options_.detector);
    return boxes;
}

AnalyzedFace FacePipeline::analyze(const cv::Mat& image, const FaceBox& box, bool embed) {
    AnalyzedFace face;
    face.box = box;
    deadline_.check("landmarks");  // also between the faces of a photo: each starts here
    {
        StageTimer timer(times_.landmarks);
        face.points68 = landmarker_.locate(image, box);
        face.points = five_points(face.points68);
    }
    {
        StageTimer timer(times_.align);
        face.aligned = align_face(image, face.points, options_.align);
    }
    {
        StageTimer timer(times_.quality);
        face.quality = assess_quality(face.aligned, box, face.points68, options_.gates);
    }
    if (embed) {
        deadline_.check("embed");
        StageTimer timer(times_.embed);
        face.embedding = embedder_.embed(face.aligned);
    }
    return face;
}

std::pair<Embedding, Embedding> FacePipeline::embed_variants(const AnalyzedFace& face) {
    StageTimer timer(times_.embed);
    return embedder_.embed_variants(face.aligned);
}

double FacePipeline::embedding_norm(const AnalyzedFace& face) {
    StageTimer timer(times_.embed);
    return embedder_.raw_norm(face.aligned);
}

void FacePipeline::embed(std::vector<AnalyzedFace*>& faces, bool flip_average) {
    if (faces.empty()) return;
    deadline_.check("embed");
    StageTimer timer(times_.embed);
    std::vector<cv::Mat> crops;
    for (auto* f : faces) crops.push_back(f->aligned);
    auto embeddings = embedder_.embed_batch(crops, flip_average);
    for (size_t i = 0; i < faces.size(); ++i) faces[i]->embedding = std::move(embeddings[i]);
}

void FacePipeline::assess_liveness(const cv::Mat& image, AnalyzedFace& face) {
    deadline_.check("liveness");
    StageTimer timer(times_.liveness);
    if (!liveness_) liveness_ = std::make_unique<LivenessDetector>(models_.path("fr_liveness.onnx"));
    face.liveness = liveness_->score(image, face.box);
    face.quality.liveness = face.liveness->live;
}

void FacePipeline::estimate_attributes(const cv::Mat& image, AnalyzedFace& face) {
    deadline_.check("attributes");
    StageTimer timer(times_.attributes);
    if (!attributes_)
        attributes_ = std::make_unique<AttributeEstimator>(
            models_.path("fr_age.onnx"), models_.path("fr_gender.onnx"), models_.path("fr_eye.onnx"));
    face.attributes = attributes_->estimate(image, face.box, face.points68);
}

}  // namespace faceid
