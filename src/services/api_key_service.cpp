#include "services/api_key_service.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/sha256.h"

#include <openssl/crypto.h>

namespace faceid {
namespace {

constexpr std::string_view kPrefix = "fidb_";
constexpr size_t kSecretHexLength = 64;  // 32 random bytes

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string secret_hash(const std::string& salt_hex, std::string_view secret) {
    std::string material = salt_hex;
    material += ':';
    material += secret;
    return sha256_hex(material);
}

}  // namespace

ApiKeyService::ApiKeyService(ApiKeyRepository& keys) : keys_(keys) {}

std::optional<std::pair<std::string, std::string>> ApiKeyService::split_key(std::string_view presented) {
    if (!presented.starts_with(kPrefix)) return std::nullopt;
    presented.remove_prefix(kPrefix.size());
    const auto separator = presented.find('_');
    if (separator == std::string_view::npos) return std::nullopt;
    const std::string_view id = presented.substr(0, separator);
    const std::string_view secret = presented.substr(separator + 1);
    if (!is_well_formed_id(id, 'k') || secret.size() != kSecretHexLength || !is_lower_hex(secret))
        return std::nullopt;
    return std::make_pair(std::string(id), std::string(secret));
}

NewApiKey ApiKeyService::new_key(Role role, const std::string& name) {
    if (name.empty() || name.size() > 100)
        throw Error(ErrorCode::kInvalidField, "The key's name must have 1 to 100 characters.",
                    {{"field", "name"}});
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7F)
            throw Error(ErrorCode::kInvalidField, "The key's name contains control characters.",
                        {{"field", "name"}});
    NewApiKey created;
    ApiKeyRecord& record = created.record;
    record.id = new_key_id();
    record.name = name;
    record.role = std::string(role_name(role));
    record.salt_hex = random_hex(16);
    const std::string secret = random_hex(kSecretHexLength / 2);
    record.hash_hex = secret_hash(record.salt_hex, secret);
    record.created_at_ms = now_ms();
    created.key.reserve(kPrefix.size() + record.id.size() + 1 + secret.size());
    created.key.append(kPrefix).append(record.id).append("_").append(secret);
    return created;
}

NewApiKey ApiKeyService::create(Role role, const std::string& name) {
    NewApiKey created = new_key(role, name);
    keys_.create_key(created.record);
    return created;
}

std::optional<Caller> ApiKeyService::authenticate(std::string_view presented) {
    const auto parts = split_key(presented);
    if (!parts) return std::nullopt;
    const auto record = keys_.get_key(parts->first);
    if (!record || !record->active()) return std::nullopt;
    const std::string hash = secret_hash(record->salt_hex, parts->second);
    if (hash.size() != record->hash_hex.size() ||
        CRYPTO_memcmp(hash.data(), record->hash_hex.data(), hash.size()) != 0)
        return std::nullopt;
    const auto role = parse_role(record->role);
    if (!role) return std::nullopt;  // a role this program does not know grants nothing
    return Caller{record->id, record->name, *role};
}

std::vector<ApiKeyRecord> ApiKeyService::list() {
    return keys_.list_keys();
}

bool ApiKeyService::revoke(const std::string& key_id) {
    if (!is_well_formed_id(key_id, 'k')) return false;
    return keys_.revoke_key(key_id, now_ms());
}

std::optional<NewApiKey> ApiKeyService::bootstrap_admin() {
    if (keys_.count_keys() > 0) return std::nullopt;  // the common case, without a claim
    NewApiKey first = new_key(Role::kAdmin, "first admin");
    if (!keys_.create_first_key(first.record)) return std::nullopt;
    return first;
}

}  // namespace faceid
