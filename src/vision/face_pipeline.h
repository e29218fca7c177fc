#pragma once
// The whole face pipeline for one worker thread: decode -> detect -> landmarks -> align -> quality ->
// embed. Owns its own model sessions (a cv::dnn::Net is not thread-safe); PipelinePool hands them out.
#include "core/face.h"
#include "vision/aligner.h"
#include "vision/embedder.h"
#include "vision/face_attributes.h"
#include "vision/face_detector.h"
#include "vision/image_decoder.h"
#include "vision/landmarker.h"
#include "vision/liveness.h"
#include "vision/model_files.h"
#include "vision/quality.h"

#include <opencv2/core.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace faceid {

struct PipelineOptions {
    DetectorOptions detector;
    QualityGates gates;
    DecodeLimits decode;
    // Embed the mirrored crop too and average (LFW View 2: 99.25% vs 99.18%, TAR@1e-3 98.33% vs 98.10%) for
    // twice the embedding time. Templates and probes must be embedded the same way: a flip-averaged template
    // against a plain probe scores worse than either (99.17%, TAR@1e-3 97.77%).
    bool flip_average = true;
    LandmarkOptions landmarks;
    AlignOptions align;
    // Seconds one photo may spend in this pipeline (decode, detection, and every face's stages), counted
    // from start_budget(); 0 = no limit. Checked during a JPEG decode and before each stage, so the work
    // ends at most one model forward pass (or one non-JPEG decode) after it.
    double time_budget_seconds = 0;
};

// Milliseconds spent in each stage by the last call(s) since reset().
struct StageTimes {
    double decode = 0, detect = 0, landmarks = 0, align = 0, quality = 0, embed = 0, liveness = 0,
           attributes = 0;
    double total() const {
        return decode + detect + landmarks + align + quality + embed + liveness + attributes;
    }
};

struct AnalyzedFace {
    FaceBox box;
    Landmarks68 points68;
    Landmarks5 points;
    cv::Mat aligned;  // 112x112 BGR
    Quality quality;
    Embedding embedding;                       // empty unless embedded
    std::optional<LivenessScore> liveness;     // set by assess_liveness (also copied to quality.liveness)
    std::optional<FaceAttributes> attributes;  // set by estimate_attributes
};

class FacePipeline {
  public:
    FacePipeline(const ModelFiles& models, PipelineOptions options);

    cv::Mat decode(std::string_view bytes);
    std::vector<FaceBox> detect(const cv::Mat& image);
    // Detection with another score threshold for this call only.
    std::vector<FaceBox> detect(const cv::Mat& image, float score_threshold);
    // Landmarks, alignment and quality of one detected face; embeds it when `embed` is true.
    AnalyzedFace analyze(const cv::Mat& image, const FaceBox& box, bool embed = true);
    // Embeds several analysed faces in one forward pass, flip-averaged or not.
    void embed(std::vector<AnalyzedFace*>& faces, bool flip_average);
    // Plain and flip-averaged embeddings of one analysed face (one forward pass), for evaluation.
    std::pair<Embedding, Embedding> embed_variants(const AnalyzedFace& face);
    // The raw (pre-normalisation) embedding norm of an analysed face: higher for a more face-like crop.
    double embedding_norm(const AnalyzedFace& face);
    // Liveness score of an analysed face (fr_liveness.onnx, loaded on first use).
    void assess_liveness(const cv::Mat& image, AnalyzedFace& face);
    // Age, gender and eye state of an analysed face (loaded on first use).
    void estimate_attributes(const cv::Mat& image, AnalyzedFace& face);

    // Starts the time budget of the next photo (options().time_budget_seconds); PipelinePool::acquire()
    // starts one for each lease. Every stage after it throws Error(kTimeBudgetExceeded) once it is spent.
    void start_budget();
    const Deadline& deadline() const { return deadline_; }

    const PipelineOptions& options() const { return options_; }
    // Changes detector, landmark, alignment and flip options without reloading the networks (for comparing
    // pipeline variants in one evaluation run).
    void set_options(const PipelineOptions& options);
    const StageTimes& times() const { return times_; }
    void reset_times() { times_ = {}; }

  private:
    ModelFiles models_;
    PipelineOptions options_;
    FaceDetector detector_;
    Landmarker landmarker_;
    Embedder embedder_;
    std::unique_ptr<LivenessDetector> liveness_;
    std::unique_ptr<AttributeEstimator> attributes_;
    StageTimes times_;
    Deadline deadline_;
};

}  // namespace faceid
