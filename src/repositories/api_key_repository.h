#pragma once
// Persistence of API keys. Only a salted hash of each key's secret is stored; the key itself is shown
// once when it is created and never again. Looked up by key id (part of the key), never by scanning hashes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct ApiKeyRecord {
    std::string id;        // "k" + 16 hex, public (appears in the audit log)
    std::string name;      // who or what uses it
    std::string role;      // admin | operator | searcher | auditor
    std::string salt_hex;  // random per key
    std::string hash_hex;  // SHA-256(salt || secret)
    int64_t created_at_ms = 0;
    std::optional<int64_t> revoked_at_ms;

    bool active() const { return !revoked_at_ms.has_value(); }
};

class ApiKeyRepository {
  public:
    virtual ~ApiKeyRepository() = default;

    // Throws Error(kConflict) if the id is taken.
    virtual void create_key(const ApiKeyRecord& key) = 0;
    // Stores `key` only if no key was ever created, atomically with respect to every process sharing
    // this store, so that servers starting together on an empty store create one first admin key between
    // them. False when a key exists or another process claimed the first key.
    virtual bool create_first_key(const ApiKeyRecord& key) = 0;
    virtual std::optional<ApiKeyRecord> get_key(const std::string& id) = 0;
    // Every key, revoked ones included, oldest first.
    virtual std::vector<ApiKeyRecord> list_keys() = 0;
    // Marks the key revoked; false when it is unknown or already revoked.
    virtual bool revoke_key(const std::string& id, int64_t at_ms) = 0;
    // Keys ever created (revoked included): 0 only on a fresh installation.
    virtual int64_t count_keys() = 0;
};

}  // namespace faceid
