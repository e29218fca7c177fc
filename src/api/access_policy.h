#pragma once
// Who may call what and see what, in two tables (access_policy.cpp): route -> roles allowed (and whether
// the route is public or written to the audit log), role -> the fields of stored data it may see.
// Every route the server registers must be in the route table; HttpServer refuses to start otherwise.
#include "api/resource_json.h"
#include "services/role.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace faceid {

struct RouteRule {
    std::string_view method;        // GET, POST, PATCH, DELETE
    std::string_view route;         // the documented pattern, e.g. /persons/{id}
    bool is_public;                 // answered without an API key
    uint8_t roles;                  // bit set of roles allowed (see role_bit)
    std::string_view audit_action;  // empty: not written to the audit log
};

constexpr uint8_t role_bit(Role role) {
    return uint8_t(1u << unsigned(role));
}

std::span<const RouteRule> route_rules();
// nullptr when the route is not in the table.
const RouteRule* find_route_rule(std::string_view method, std::string_view route);
bool role_allowed(const RouteRule& rule, Role role);

// The fields of stored persons and faces a role sees. Embeddings are never part of a role's view: only
// an admin gets them, and only when the request asks for them explicitly (?include=embeddings).
FieldView field_view_for(Role role);

}  // namespace faceid
