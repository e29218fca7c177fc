#include "api/access_policy.h"

#include <array>

namespace faceid {
namespace {

constexpr uint8_t kAdmin = role_bit(Role::kAdmin);
constexpr uint8_t kOperator = role_bit(Role::kOperator);
constexpr uint8_t kSearcher = role_bit(Role::kSearcher);
constexpr uint8_t kAuditor = role_bit(Role::kAuditor);
constexpr uint8_t kNone = 0;

// The one table of route permissions. Public routes carry no roles (nobody needs a key for them).
constexpr std::array kRouteRules = {
    // Face pipeline.
    RouteRule{"POST", "/register", false, kAdmin | kOperator, "register"},
    RouteRule{"POST", "/register/batch", false, kAdmin | kOperator, "register.batch"},
    RouteRule{"POST", "/search", false, kAdmin | kOperator | kSearcher, "search"},
    RouteRule{"POST", "/search/batch", false, kAdmin | kOperator | kSearcher, "search.batch"},
    RouteRule{"POST", "/verify", false, kAdmin | kOperator | kSearcher, "verify"},
    RouteRule{"POST", "/detect", false, kAdmin | kOperator | kSearcher, ""},
    // Stored persons and faces.
    RouteRule{"GET", "/persons", false, kAdmin | kOperator | kAuditor, ""},
    RouteRule{"GET", "/persons/{id}", false, kAdmin | kOperator | kAuditor, ""},
    RouteRule{"PATCH", "/persons/{id}", false, kAdmin | kOperator, "update"},
    RouteRule{"DELETE", "/persons/{id}", false, kAdmin, "delete.person"},
    RouteRule{"DELETE", "/faces/{id}", false, kAdmin, "delete.face"},
    RouteRule{"GET", "/persons/{id}/photo", false, kAdmin | kOperator, ""},
    RouteRule{"GET", "/faces/{id}/crop", false, kAdmin | kOperator, ""},
    // Administration.
    RouteRule{"GET", "/audit", false, kAdmin | kAuditor, ""},
    RouteRule{"GET", "/keys", false, kAdmin, ""},
    RouteRule{"POST", "/keys", false, kAdmin, "key.create"},
    RouteRule{"DELETE", "/keys/{id}", false, kAdmin, "key.revoke"},
    RouteRule{"GET", "/metrics", false, kAdmin | kAuditor, ""},
    // Gallery maintenance.
    RouteRule{"POST", "/admin/cleanup", false, kAdmin, "cleanup"},
    RouteRule{"GET", "/admin/duplicates", false, kAdmin, ""},
    // Public: probes, documentation (the page's static files are public too, served before routing).
    RouteRule{"GET", "/healthz", true, kNone, ""},
    RouteRule{"GET", "/readyz", true, kNone, ""},
    RouteRule{"GET", "/openapi.json", true, kNone, ""},
    RouteRule{"GET", "/docs", true, kNone, ""},
    RouteRule{"GET", "/docs/swagger-init.js", true, kNone, ""},
};

}  // namespace

std::span<const RouteRule> route_rules() {
    return kRouteRules;
}

const RouteRule* find_route_rule(std::string_view method, std::string_view route) {
    for (const auto& rule : kRouteRules)
        if (rule.method == method && rule.route == route) return &rule;
    return nullptr;
}

bool role_allowed(const RouteRule& rule, Role role) {
    return rule.is_public || (rule.roles & role_bit(role)) != 0;
}

FieldView field_view_for(Role role) {
    // The one table of visible fields:        photos  metadata quality embeddings
    switch (role) {
        case Role::kAdmin:
            return FieldView{true, true, true, false};
        case Role::kOperator:
            return FieldView{true, true, true, false};
        case Role::kSearcher:
            return FieldView{false, false, false, false};
        case Role::kAuditor:
            return FieldView{false, false, false, false};
    }
    return FieldView{false, false, false, false};
}

}  // namespace faceid
