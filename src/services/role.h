#pragma once
// The roles an API key can have. What each role may call and see is decided in api/access_policy.cpp.
#include <optional>
#include <string_view>

namespace faceid {

enum class Role {
    kAdmin,     // everything: keys, deletes, cleanup, embeddings on request
    kOperator,  // register, update, search, verify, view photos
    kSearcher,  // search and verify only; sees ids, names and similarities
    kAuditor,   // the audit log and person lists without photos
};

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

}  // namespace faceid
