#include "api/access_policy.h"

#include <vector>

namespace faceid {
std::span<const RouteRule> route_rules() {
    static const std::vector<RouteRule> rules = [] {
        std::vector<RouteRule> all;
        for (const auto table : {face_routes(), person_routes(), admin_routes(), maintenance_routes(),
                                 correction_routes(), system_routes()})
            all.insert(all.end(), table.begin(), table.end());
        return all;
    }();
    return rules;
}

const RouteRule* find_route_rule(std::string_view method, std::string_view route) {
    for (const auto& rule : route_rules())
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
