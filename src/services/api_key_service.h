#pragma once
// API keys: creation, authentication, revocation. A key reads "fidb_<key id>_<secret>": the key id (public,
// "k" + 16 hex) finds the stored record in one lookup, and the 256-bit random secret is checked against
// SHA-256(salt || secret) with a constant-time comparison. A plain salted SHA-256 suffices because the
// secrets are random and high-entropy (nothing to brute-force as with passwords). Revocation takes
// effect at once: every request reads the key's record afresh.
#include "repositories/api_key_repository.h"
#include "services/role.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

// Who is calling, as far as authorisation and the audit log are concerned.
struct Caller {
    std::string key_id;
    std::string key_name;
    Role role = Role::kSearcher;
};

struct NewApiKey {
    ApiKeyRecord record;
    std::string key;  // the full key, to be shown once and never stored
};

class ApiKeyService {
  public:
    explicit ApiKeyService(ApiKeyRepository& keys);

    // Throws Error(kInvalidField) for an empty, over-long or control-character name.
    NewApiKey create(Role role, const std::string& name);
    // The caller a presented key belongs to; nullopt for a malformed, unknown, revoked or wrong key (on
    // purpose without saying which).
    std::optional<Caller> authenticate(std::string_view presented);
    std::vector<ApiKeyRecord> list();
    // False when the key is unknown or already revoked.
    bool revoke(const std::string& key_id);
    // On a fresh installation (no key was ever created) creates the first admin key and returns it;
    // otherwise nullopt. Revoking every key does not bring this back. Of several servers starting
    // together over one shared store, at most one gets the key (ApiKeyRepository::create_first_key).
    std::optional<NewApiKey> bootstrap_admin();

    // Splits "fidb_<id>_<secret>"; nullopt when the shape is wrong.
    static std::optional<std::pair<std::string, std::string>> split_key(std::string_view presented);

  private:
    // A new key with a fresh id and secret, not yet stored.
    NewApiKey new_key(Role role, const std::string& name);

    ApiKeyRepository& keys_;
};

}  // namespace faceid
