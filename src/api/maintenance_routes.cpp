// Gallery maintenance (admin only, see access_policy.cpp): retention clean-up and the review list of
// possible duplicate persons.
#include "api/http_server.h"
#include "core/error.h"
#include "services/duplicate_finder.h"

#include <cmath>

namespace faceid {
namespace {

bool query_flag(const httplib::Request& req, const std::string& name) {
    if (!req.has_param(name)) return false;
    const std::string value = req.get_param_value(name);
    if (value == "true" || value == "1" || value == "yes" || value.empty()) return true;
    if (value == "false" || value == "0" || value == "no") return false;
    throw Error(ErrorCode::kInvalidField, name + " must be true or false.", {{"field", name}});
}

double query_number(const httplib::Request& req, const std::string& name, double fallback, double min,
                    double max) {
    if (!req.has_param(name)) return fallback;
    const std::string raw = req.get_param_value(name);
    char* end = nullptr;
    const double value = std::strtod(raw.c_str(), &end);
    if (raw.empty() || *end != '\0' || !std::isfinite(value) || value < min || value > max)
        throw Error(ErrorCode::kInvalidField, name + " is out of range.",
                    {{"field", name}, {"min", min}, {"max", max}});
    return value;
}

}  // namespace

void HttpServer::add_maintenance_routes() {
    add(Method::kPost, "/admin/cleanup", "/admin/cleanup",
        [this](const httplib::Request& req, httplib::Response& res) {
            const bool dry_run = query_flag(req, "dry_run");
            const CleanupReport report = services_.retention.run(dry_run);
            if (!dry_run) audit_ids(req, nlohmann::json::array(), cleanup_removed_ids(report));
            send_json(res, 200, cleanup_report_json(report));
        });

    add(Method::kGet, "/admin/duplicates", "/admin/duplicates",
        [this](const httplib::Request& req, httplib::Response& res) {
            DuplicateSearch search;
            search.threshold = query_number(req, "threshold", services_.duplicate_threshold, 0.0, 1.0);
            search.limit = size_t(query_number(req, "limit", 100, 1, 1000));
            const FieldView view = view_for(req);
            auto pairs = nlohmann::json::array();
            for (const auto& pair : find_duplicate_persons(services_.gallery, search))
                pairs.push_back({{"a", person_json(pair.a, view)},
                                 {"b", person_json(pair.b, view)},
                                 {"face_a", pair.face_a},
                                 {"face_b", pair.face_b},
                                 {"similarity", std::round(pair.similarity * 10000) / 10000}});
            send_json(res, 200, {{"threshold", search.threshold}, {"pairs", pairs}});
        });
}

}  // namespace faceid
