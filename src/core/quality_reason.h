#pragma once
// Every reason a face can fail a quality gate, in one table (quality_reason.cpp), like the error codes of
// core/error.cpp: the stable name the API, the CLI's reports and the page (web/messages.js) use, and what
// the gate measures. Quality::reasons lists the failed ones; their JSON is the name.
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <span>
#include <string_view>

namespace faceid {

enum class QualityReason {
    kLowSharpness,
    kLowConfidence,
    kSmallFace,
    kExtremePose,
    kTooDark,
    kTooBright,
    kNotLive,
};

struct QualityReasonInfo {
    QualityReason reason;
    std::string_view name;  // stable machine-readable name, e.g. "LOW_SHARPNESS"
    std::string_view gate;  // what failed
};

std::span<const QualityReasonInfo> quality_reasons();
const QualityReasonInfo& quality_reason_info(QualityReason reason);
std::string_view quality_reason_name(QualityReason reason);
std::optional<QualityReason> parse_quality_reason(std::string_view name);

// A reason compares equal to its name, and prints and converts to JSON as its name.
bool operator==(QualityReason reason, std::string_view name);
std::ostream& operator<<(std::ostream& out, QualityReason reason);
void to_json(nlohmann::json& out, QualityReason reason);

}  // namespace faceid
