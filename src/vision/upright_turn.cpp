#include "vision/upright_turn.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <array>

namespace faceid {

bool has_standing_face(const std::vector<FaceBox>& boxes) {
    return std::any_of(boxes.begin(), boxes.end(),
                       [](const FaceBox& box) { return box.height() >= box.width() / 1.1f; });
}

cv::Mat turn_image(const cv::Mat& image, int degrees) {
    cv::Mat turned;
    switch (degrees) {
        case 90:
            cv::rotate(image, turned, cv::ROTATE_90_CLOCKWISE);
            break;
        case 180:
            cv::rotate(image, turned, cv::ROTATE_180);
            break;
        case 270:
            cv::rotate(image, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
            break;
        default:
            turned = image;
    }
    return turned;
}

FaceBox turn_box_half(const FaceBox& box, cv::Size size) {
    FaceBox turned = box;
    turned.x1 = float(size.width) - box.x2;
    turned.x2 = float(size.width) - box.x1;
    turned.y1 = float(size.height) - box.y2;
    turned.y2 = float(size.height) - box.y1;
    return turned;
}

namespace {

std::vector<FaceBox> turned_boxes(const std::vector<FaceBox>& boxes, cv::Size size) {
    std::vector<FaceBox> out;
    out.reserve(boxes.size());
    for (const auto& box : boxes) out.push_back(turn_box_half(box, size));
    return out;  // sizes are unchanged, so still largest first
}

// The largest standing box, if any.
const FaceBox* largest_standing(const std::vector<FaceBox>& boxes) {
    for (const auto& box : boxes)
        if (has_standing_face({box})) return &box;
    return nullptr;
}

// Chooses between a reading and the same photo turned a further 180 degrees. Each reading's largest
// standing box (one or two boxes) is looked at in both readings, so a box the detector placed badly in
// one reading (p13/img41 of photos-multi: norm 1.46 upright with its own box, 3.57 with the other
// reading's) does not decide alone: each reading scores the best norm over the boxes.
UprightChoice choose_reading(FacePipeline& pipeline, TurnedPhoto a, TurnedPhoto b) {
    const cv::Size size = a.image.size();  // b has the same size (a half turn)
    std::vector<FaceBox> in_a, in_b;       // the boxes to compare, in each reading's pixels
    if (const auto* box = largest_standing(a.boxes)) {
        in_a.push_back(*box);
        in_b.push_back(turn_box_half(*box, size));
    }
    if (const auto* box = largest_standing(b.boxes)) {
        in_b.push_back(*box);
        in_a.push_back(turn_box_half(*box, size));
    }
    double best_a = 0, best_b = 0;
    for (size_t i = 0; i < in_a.size(); ++i) {
        best_a = std::max(best_a, pipeline.embedding_norm(pipeline.analyze(a.image, in_a[i], false)));
        best_b = std::max(best_b, pipeline.embedding_norm(pipeline.analyze(b.image, in_b[i], false)));
    }
    // A reading with no face of its own takes the other's boxes turned.
    if (a.boxes.empty()) a.boxes = turned_boxes(b.boxes, size);
    if (b.boxes.empty()) b.boxes = turned_boxes(a.boxes, size);
    UprightChoice choice;
    const bool a_wins = best_a >= best_b;
    choice.best_norm = std::max(best_a, best_b);
    choice.norm_ratio = choice.best_norm / std::max(1e-6, std::min(best_a, best_b));
    choice.chosen = a_wins ? std::move(a) : std::move(b);
    choice.opposite = a_wins ? std::move(b) : std::move(a);
    return choice;
}

TurnedPhoto read_turned(FacePipeline& pipeline, const cv::Mat& image, int degrees) {
    TurnedPhoto reading;
    reading.image = turn_image(image, degrees);
    reading.boxes = pipeline.detect(reading.image);
    reading.rotation = degrees;
    return reading;
}

}  // namespace

std::optional<UprightChoice> find_upright_turn(FacePipeline& pipeline, const cv::Mat& image,
                                               const std::vector<FaceBox>& boxes) {
    if (const auto* box = largest_standing(boxes))
        if (pipeline.embedding_norm(pipeline.analyze(image, *box, false)) >= kUprightNorm)
            return std::nullopt;
    // The photo as it is against upside down, then the quarter turns against each other. The photo as it
    // is also gets the boxes found upside down: a badly placed box can make an upright face look poor
    // (photos-multi p13/img41: norm 1.46 with its own box, 3.57 with the box found upside down).
    TurnedPhoto as_is{image, boxes, 0};
    auto half = read_turned(pipeline, image, 180);
    std::optional<UprightChoice> upright_or_not;
    if (has_standing_face(as_is.boxes) || has_standing_face(half.boxes))
        upright_or_not = choose_reading(pipeline, std::move(as_is), std::move(half));
    std::optional<UprightChoice> quarter_turns;
    auto quarter = read_turned(pipeline, image, 90);
    auto three_quarters = read_turned(pipeline, image, 270);
    if (has_standing_face(quarter.boxes) || has_standing_face(three_quarters.boxes))
        quarter_turns = choose_reading(pipeline, std::move(quarter), std::move(three_quarters));
    if (!upright_or_not && !quarter_turns) return std::nullopt;
    // A turn must beat the photo as it is clearly: an upright photo whose face the embedder likes little
    // (blurred, badly boxed) stays as it is.
    const double as_is_norm = !upright_or_not ? 0
                              : upright_or_not->chosen.rotation == 0
                                  ? upright_or_not->best_norm
                                  : upright_or_not->best_norm / upright_or_not->norm_ratio;
    // Upside down only when no quarter turn shows a standing face: in a group photo on its side, a face on
    // its side read as it is or upside down sometimes embeds well (the landmarks found it on its side and
    // the alignment turned it), and letting it compete chose 180 for photos-group/sample1 turned 90.
    std::optional<UprightChoice> best = quarter_turns ? std::move(quarter_turns) : std::move(upright_or_not);
    if (best->chosen.rotation == 0 || best->best_norm < as_is_norm * UprightChoice::kTurnMargin)
        return std::nullopt;
    return best;
}

}  // namespace faceid
