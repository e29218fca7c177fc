// Routes for administration: the audit log (admin, auditor) and API keys (admin; any key may ask about
// itself).
#include "api/access_policy.h"
#include "api/request_reader.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"

#include <cctype>
#include <charconv>
#include <cstdint>

#include <array>

namespace faceid {
namespace {

// A whole-number query parameter within [min, max], or nullopt when absent.
std::optional<int64_t> integer_param(const HttpRequest& req, const char* name, int64_t min, int64_t max) {
    if (!req.has_param(name)) return std::nullopt;
    const std::string raw = req.param(name);
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size() || value < min || value > max)
        throw Error(ErrorCode::kInvalidField,
                    std::string(name) + " must be a whole number between " + std::to_string(min) + " and " +
                        std::to_string(max) + ".",
                    {{"field", name}});
    return value;
}

// A short printable query parameter (action names, key ids), or nullopt when absent or empty.
std::optional<std::string> word_param(const HttpRequest& req, const char* name) {
    if (!req.has_param(name)) return std::nullopt;
    const std::string value = req.param(name);
    if (value.empty()) return std::nullopt;
    if (value.size() > 64)
        throw Error(ErrorCode::kInvalidField, std::string(name) + " is too long.", {{"field", name}});
    for (char c : value)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
            throw Error(ErrorCode::kInvalidField, std::string(name) + " has characters it cannot have.",
                        {{"field", name}});
    return value;
}

void list_audit(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    AuditQuery query;
    query.limit = int(integer_param(req, "limit", 1, 1000).value_or(50));
    // The cursor is the seq of the last entry of the previous page (entries come newest first).
    query.before_seq = integer_param(req, "cursor", 1, INT64_MAX);
    query.action = word_param(req, "action");
    query.key_id = word_param(req, "key_id");
    const auto page = call.services.audit.list(query);
    auto entries = nlohmann::json::array();
    for (const auto& e : page.entries) entries.push_back(audit_entry_json(e));
    send_json(res, 200,
              {{"entries", entries},
               {"next_cursor", page.next_before_seq ? nlohmann::json(std::to_string(*page.next_before_seq))
                                                    : nlohmann::json()}});
}

void list_keys(RouteCall& call, const HttpRequest&, HttpResponse& res) {
    auto keys = nlohmann::json::array();
    for (const auto& key : call.services.keys.list()) keys.push_back(key_json(key));
    send_json(res, 200, {{"keys", keys}});
}

// Who the caller is: the page shows the administration screens to admin keys only. With keys off
// (--no-auth, loopback only) every caller is a local admin.
void key_self(RouteCall& call, const HttpRequest&, HttpResponse& res) {
    const auto& caller = call.caller();
    send_json(res, 200,
              {{"role", std::string(role_name(caller.role))},
               {"key_id", caller.key_id.empty() ? nlohmann::json() : nlohmann::json(caller.key_id)},
               {"name", caller.key_name.empty() ? nlohmann::json() : nlohmann::json(caller.key_name)},
               {"auth", call.config.auth_enabled}});
}

void create_key(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    RequestReader in(req);
    const std::string role_text = in.required_text("role", 20);
    const auto role = parse_role(role_text);
    if (!role)
        throw Error(ErrorCode::kInvalidField, "role must be admin, operator, searcher or auditor.",
                    {{"field", "role"}});
    const auto created = call.services.keys.create(*role, in.required_text("name", 100));
    call.audit_ids(nlohmann::json::array(), nlohmann::json::array({created.record.id}));
    auto body = key_json(created.record);
    body["key"] = created.key;  // shown once
    res.set_header("Cache-Control", "no-store");
    send_json(res, 201, body);
}

void revoke_key(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    const std::string id = req.path_param(0);
    if (!is_well_formed_id(id, 'k'))
        throw Error(ErrorCode::kNotFound, "No API key with this id.", {{"key_id", id.substr(0, 64)}});
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array());
    if (!call.services.keys.revoke(id))
        throw Error(ErrorCode::kNotFound, "No active API key with this id.", {{"key_id", id}});
    call.audit_ids(nlohmann::json::array({id}), nlohmann::json::array({id}));
    send_json(res, 200, {{"revoked", id}});
}

constexpr uint8_t kAdmin = kAdminRole, kAuditor = kAuditorRole;
constexpr uint8_t kAnyKey = kAdminRole | kOperatorRole | kSearcherRole | kAuditorRole;

constexpr std::array kRoutes = {
    RouteRule{"GET", "/audit", false, kAdmin | kAuditor, "", list_audit},
    RouteRule{"GET", "/keys", false, kAdmin, "", list_keys},
    RouteRule{"GET", "/keys/self", false, kAnyKey, "", key_self},
    RouteRule{"POST", "/keys", false, kAdmin, "key.create", create_key},
    RouteRule{"DELETE", "/keys/{id}", false, kAdmin, "key.revoke", revoke_key},
};

}  // namespace

std::span<const RouteRule> admin_routes() {
    return kRoutes;
}

}  // namespace faceid
