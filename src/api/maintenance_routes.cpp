// Gallery maintenance (admin only, see access_policy.cpp): retention clean-up and the review list of
// possible duplicate persons.
#include "api/access_policy.h"
#include "core/error.h"
#include "services/duplicate_finder.h"

#include <array>
#include <cmath>

namespace faceid {
namespace {

bool query_flag(const HttpRequest& req, const std::string& name) {
    if (!req.has_param(name)) return false;
    const std::string value = req.param(name);
    if (value == "true" || value == "1" || value == "yes" || value.empty()) return true;
    if (value == "false" || value == "0" || value == "no") return false;
    throw Error(ErrorCode::kInvalidField, name + " must be true or false.", {{"field", name}});
}

double query_number(const HttpRequest& req, const std::string& name, double fallback, double min,
                    double max) {
    if (!req.has_param(name)) return fallback;
    const std::string raw = req.param(name);
    char* end = nullptr;
    const double value = std::strtod(raw.c_str(), &end);
    if (raw.empty() || *end != '\0' || !std::isfinite(value) || value < min || value > max)
        throw Error(ErrorCode::kInvalidField, name + " is out of range.",
                    {{"field", name}, {"min", min}, {"max", max}});
    return value;
}

void cleanup(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const bool dry_run = query_flag(req, "dry_run");
    const CleanupReport report = call.services.retention.run(dry_run);
    if (!dry_run) call.audit_ids(nlohmann::json::array(), cleanup_removed_ids(report));
    send_json(res, 200, cleanup_report_json(report));
}

void duplicates(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    DuplicateSearch search;
    search.threshold = query_number(req, "threshold", call.services.duplicate_threshold, 0.0, 1.0);
    search.limit = size_t(query_number(req, "limit", 100, 1, 1000));
    for (auto& pair : call.services.corrections.kept_apart_pairs()) search.kept_apart.insert(std::move(pair));
    const FieldView view = call.view(req);
    auto pairs = nlohmann::json::array();
    for (const auto& pair : find_duplicate_persons(call.services.gallery, search))
        pairs.push_back(duplicate_pair_json(pair, view));
    send_json(res, 200, {{"threshold", search.threshold}, {"pairs", pairs}});
}

constexpr std::array kRoutes = {
    RouteRule{"POST", "/admin/cleanup", false, kAdminRole, "cleanup", cleanup},
    RouteRule{"GET", "/admin/duplicates", false, kAdminRole, "", duplicates},
};

}  // namespace

std::span<const RouteRule> maintenance_routes() {
    return kRoutes;
}

}  // namespace faceid
