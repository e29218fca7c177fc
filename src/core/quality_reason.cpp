#include "core/quality_reason.h"

#include <array>

namespace faceid {
namespace {

constexpr std::array kReasonTable = {
    QualityReasonInfo{QualityReason::kLowSharpness, "LOW_SHARPNESS", "the face is blurred"},
    QualityReasonInfo{QualityReason::kLowConfidence, "LOW_CONFIDENCE",
                      "the detector is not sure it is a face"},
    QualityReasonInfo{QualityReason::kSmallFace, "SMALL_FACE", "the face or the eye distance is too small"},
    QualityReasonInfo{QualityReason::kExtremePose, "EXTREME_POSE", "the head is turned or tilted too far"},
    QualityReasonInfo{QualityReason::kTooDark, "TOO_DARK", "the face is too dark"},
    QualityReasonInfo{QualityReason::kTooBright, "TOO_BRIGHT", "the face is too bright or overexposed"},
    QualityReasonInfo{QualityReason::kNotLive, "NOT_LIVE", "the face failed the liveness gate"},
};

}  // namespace

std::span<const QualityReasonInfo> quality_reasons() {
    return kReasonTable;
}

const QualityReasonInfo& quality_reason_info(QualityReason reason) {
    for (const auto& info : kReasonTable)
        if (info.reason == reason) return info;
    return kReasonTable.front();
}

std::string_view quality_reason_name(QualityReason reason) {
    return quality_reason_info(reason).name;
}

std::optional<QualityReason> parse_quality_reason(std::string_view name) {
    for (const auto& info : kReasonTable)
        if (info.name == name) return info.reason;
    return std::nullopt;
}

bool operator==(QualityReason reason, std::string_view name) {
    return quality_reason_name(reason) == name;
}

std::ostream& operator<<(std::ostream& out, QualityReason reason) {
    return out << quality_reason_name(reason);
}

void to_json(nlohmann::json& out, QualityReason reason) {
    out = std::string(quality_reason_name(reason));
}

}  // namespace faceid
