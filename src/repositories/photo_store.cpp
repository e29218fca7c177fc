#include "repositories/photo_store.h"

#include "core/sha256.h"

#include <cctype>

namespace faceid {

bool is_valid_photo_key(std::string_view key) {
    // Exactly what put() produces: "<64 lower-case hex>.<3-4 lower-case letters>". No '/', no "..", no
    // NUL and no upper case can pass, so a key can never name anything outside the store's folders.
    constexpr size_t kHexLength = 64;
    if (key.size() < kHexLength + 4 || key.size() > kHexLength + 5 || key[kHexLength] != '.') return false;
    for (char c : key.substr(0, kHexLength))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    for (char c : key.substr(kHexLength + 1))
        if (c < 'a' || c > 'z') return false;
    return true;
}

std::optional<uint64_t> PhotoStore::size(const std::string& key) {
    auto bytes = get(key);
    if (!bytes) return std::nullopt;
    return bytes->size();
}

std::string photo_key_of(std::string_view bytes, std::string_view extension) {
    std::string key = sha256_hex(bytes) + ".";
    for (char c : extension) key += char(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

}  // namespace faceid
