#pragma once
// Which way up a photo without an EXIF orientation shows its faces. A photo on its side (a scan, a phone
// photo whose tags were stripped) is turned a quarter either way; the two turns show the face upright and
// upside down, and the detector finds both (an upside-down face's box stands too), as do the landmarks
// (they put the eyes on top either way). What tells them apart is the embedder's raw output norm: for this
// ArcFace-style model it grows with how face-like the aligned crop is, and an upside-down face aligned as
// if it were upright is not. Measured (`faceid eval rotation`, docs/rotation.md): photos-multi turned a
// quarter 121/122 turned back right, an LFW sample 599/602, none wrong while sure, no upright photo turned.
#include "vision/face_pipeline.h"

#include <opencv2/core.hpp>

#include <optional>
#include <vector>

namespace faceid {

// One reading of a photo: the photo turned `rotation` degrees clockwise and the faces found in it.
struct TurnedPhoto {
    cv::Mat image;
    std::vector<FaceBox> boxes;  // largest first, in the turned photo's pixels
    int rotation = 0;            // 0, 90, 180 or 270
};

struct UprightChoice {
    TurnedPhoto chosen;    // the reading whose face looks upright
    TurnedPhoto opposite;  // the same photo turned a further 180 degrees (the other reading)
    // The chosen reading's best raw embedding norm over the other's (>= 1). Below kConfidentNormRatio the
    // choice is unsure: every wrong choice measured had a ratio under 1.16 (an LFW face shouting with its
    // eyes shut read upside down at 1.15), and 1.2 leaves about 5% of turned photos unsure.
    double norm_ratio = 1;
    double best_norm = 0;  // the chosen reading's best raw embedding norm
    static constexpr double kConfidentNormRatio = 1.2;
    // A turn is taken only when its face's norm beats the face as uploaded by this much.
    static constexpr double kTurnMargin = 1.1;
    bool confident() const { return norm_ratio >= kConfidentNormRatio; }
};

// True when some face's box stands (is not clearly wider than tall): a face lying on its side gets a
// wide box from this detector (a photos-multi portrait turned a quarter: 730 x 542 px).
bool has_standing_face(const std::vector<FaceBox>& boxes);

// The image turned `degrees` (0, 90, 180, 270) clockwise.
cv::Mat turn_image(const cv::Mat& image, int degrees);

// A box of an image of size `size` mapped into that image turned 180 degrees.
FaceBox turn_box_half(const FaceBox& box, cv::Size size);

// Whether the photo as uploaded needs turning, and if so which turn shows its face upright. `boxes` are the
// faces found in `image` as it is. The photo is kept as it is (nullopt) when its largest standing face
// looks like a face to the embedder (raw norm >= kUprightNorm: one plain embedding, ~20 ms, for every
// photo). Otherwise (no standing face, or a poor one) the photo is read four ways (three more
// detections): as it is against upside down, and the quarter turns against each other, each pair compared
// with the same boxes (at most two boxes, each analysed and embedded in both readings: up to eight
// embeddings, only for such photos). The quarter turns win when either shows a standing face; upside down
// is considered only otherwise. A turn is taken only when its face beats the face as it is by
// kTurnMargin. nullopt when the photo stays as it is.
//
// Why the norm and not only the box's shape: the detector finds a standing box on about half the faces
// lying on their side (photos-multi turned a quarter: 52 of 122), often passing the quality gates too.
// Their raw norms were 1.4-2.3 (five were 3.5-4.6, where the landmarks found the face on its side and the
// alignment turned it upright, so those embeddings are sound), upright faces 3.05-4.8 in photos-multi
// (one 1.46, a badly placed box) and 2.1-5 in LFW (3 of 300 under 2.4).
inline constexpr double kUprightNorm = 2.4;
std::optional<UprightChoice> find_upright_turn(FacePipeline& pipeline, const cv::Mat& image,
                                               const std::vector<FaceBox>& boxes);

}  // namespace faceid
