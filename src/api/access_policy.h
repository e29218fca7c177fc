#pragma once
// Who may call what and see what. The routes: each route file (face_routes.cpp, person_routes.cpp, ...)
// ends with its table of (method, documented pattern, public?, roles allowed, audit action, handler), so a
// route and its access rule are one row; route_rules() is all of them. HttpServer registers exactly the
// rows of these tables and refuses to start on a row without a handler or a route given twice. The fields:
// role -> the fields of stored data it may see (field_view_for, access_policy.cpp).
#include "api/resource_json.h"
#include "api/route_call.h"
#include "services/role.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace faceid {

// How a family of routes differs from ours at the HTTP level (nullptr in a row: ours). The
// CompreFace-compatible routes (compreface_routes.cpp) answer errors in CompreFace's shape and take what its
// clients send.
struct RouteFlavor {
    // Writes `error` as the response (status, headers, body); called for every error of the row's routes,
    // authentication and rate limiting included.
    void (*render_error)(const Error& error, HttpResponse& res) = nullptr;
    // Request bodies without a Content-Length (Transfer-Encoding: chunked, sent by Node's form-data streams)
    // are accepted: the body is still limited by the upload limit as it arrives, and it counts as a maximal
    // upload against the buffered-body budget.
    bool accepts_chunked_body = false;
    // Query parameters glued on with a second '?' (CompreFace JS SDK 1.0.0:
    // "faces?subject=a?det_prob_threshold=0.8") or with '&' right after the path are split off as parameters
    // of their own.
    bool lenient_query = false;
};

struct RouteRule {
    std::string_view method;        // GET, POST, PUT, PATCH, DELETE
    std::string_view route;         // the documented pattern, e.g. /persons/{id}
    bool is_public;                 // answered without an API key
    uint8_t roles;                  // bit set of roles allowed (see role_bit)
    std::string_view audit_action;  // empty: not written to the audit log
    RouteHandler handler = nullptr;
    const RouteFlavor* flavor = nullptr;  // nullptr: our own conventions
};

constexpr uint8_t role_bit(Role role) {
    return uint8_t(1u << unsigned(role));
}

// Role sets of the route tables. Public routes carry no roles (nobody needs a key for them).
inline constexpr uint8_t kAdminRole = role_bit(Role::kAdmin);
inline constexpr uint8_t kOperatorRole = role_bit(Role::kOperator);
inline constexpr uint8_t kSearcherRole = role_bit(Role::kSearcher);
inline constexpr uint8_t kAuditorRole = role_bit(Role::kAuditor);
inline constexpr uint8_t kNoRole = 0;

// The route table of each route file.
std::span<const RouteRule> face_routes();         // the face pipeline: register, search, verify, detect
std::span<const RouteRule> person_routes();       // stored persons and faces
std::span<const RouteRule> admin_routes();        // audit log, API keys
std::span<const RouteRule> maintenance_routes();  // retention clean-up, duplicates
std::span<const RouteRule> correction_routes();   // merge, move a face, keep a duplicate pair apart
std::span<const RouteRule> system_routes();       // probes, metrics, documentation
std::span<const RouteRule> compreface_routes();   // the CompreFace 1.x REST API (Double Take, SDKs)

std::span<const RouteRule> route_rules();
// nullptr when the route is not in the table.
const RouteRule* find_route_rule(std::string_view method, std::string_view route);
bool role_allowed(const RouteRule& rule, Role role);

// "external_id,metadata" (any order, either, or empty) -> SearcherFields; nullopt for anything else.
std::optional<SearcherFields> parse_searcher_fields(std::string_view list);

// The fields of stored persons and faces a role sees. Embeddings are never part of a role's view: only
// an admin gets them, and only when the request asks for them explicitly (?include=embeddings). Photos
// and quality figures are never the searcher's, whatever the setting says.
FieldView field_view_for(Role role, SearcherFields searcher = {});

}  // namespace faceid
