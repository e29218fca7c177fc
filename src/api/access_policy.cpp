#include "api/access_policy.h"

#include <algorithm>
#include <vector>

namespace faceid {
std::span<const RouteRule> route_rules() {
    static const std::vector<RouteRule> rules = [] {
        std::vector<RouteRule> all;
        for (const auto table : {face_routes(), person_routes(), admin_routes(), maintenance_routes(),
                                 correction_routes(), system_routes(), compreface_routes()})
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

std::optional<SearcherFields> parse_searcher_fields(std::string_view list) {
    SearcherFields fields;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = std::min(list.find(',', start), list.size());
        std::string_view item = list.substr(start, comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item == "external_id")
            fields.external_id = true;
        else if (item == "metadata")
            fields.metadata = true;
        else if (!item.empty() || comma < list.size())  // an empty list is fine, an empty item is not
            return std::nullopt;
        start = comma + 1;
    }
    return fields;
}

FieldView field_view_for(Role role, SearcherFields searcher) {
    // The one table of visible fields.
    switch (role) {
        case Role::kAdmin:
        case Role::kOperator:
            return FieldView{
                .photos = true, .metadata = true, .quality = true, .embeddings = false, .external_id = true};
        case Role::kSearcher:
            return FieldView{.photos = false,
                             .metadata = searcher.metadata,
                             .quality = false,
                             .embeddings = false,
                             .external_id = searcher.external_id};
        case Role::kAuditor:
            break;
    }
    return FieldView{
        .photos = false, .metadata = false, .quality = false, .embeddings = false, .external_id = false};
}

}  // namespace faceid
