#include "services/role.h"

#include <array>
#include <utility>

namespace faceid {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles = {{
    {Role::kAdmin, "admin"},
    {Role::kOperator, "operator"},
    {Role::kSearcher, "searcher"},
    {Role::kAuditor, "auditor"},
}};
}  // namespace

std::string_view role_name(Role role) {
    for (const auto& [r, name] : kRoles)
        if (r == role) return name;
    return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
    for (const auto& [r, n] : kRoles)
        if (n == name) return r;
    return std::nullopt;
}

}  // namespace faceid
