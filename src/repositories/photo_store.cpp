#include "repositories/photo_store.h"

#include "core/error.h"
#include "core/sha256.h"

#include <algorithm>
#include <cctype>
#include <cstring>

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

void require_valid_photo_key(std::string_view key) {
    if (!is_valid_photo_key(key))
        throw Error(ErrorCode::kInvalidField, "not a valid photo key", {{"field", "key"}});
}

std::string photo_key_of(std::string_view bytes, std::string_view extension) {
    std::string key = sha256_hex(bytes) + ".";
    for (char c : extension) key += char(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

std::string checked_photo_key(std::string_view bytes, std::string_view extension) {
    std::string key = photo_key_of(bytes, extension);
    if (!is_valid_photo_key(key))
        throw Error(ErrorCode::kInvalidField, "a photo extension must be 3-4 letters",
                    {{"field", "extension"}});
    return key;
}

bool bytes_match_photo_key(std::string_view bytes, std::string_view key) {
    return key.size() > 64 && sha256_hex(bytes) == key.substr(0, 64);
}

size_t MemoryPhotoReader::read(uint64_t offset, char* out, size_t max) {
    if (offset >= bytes_.size()) return 0;
    const size_t n = std::min<uint64_t>(max, bytes_.size() - offset);
    std::memcpy(out, bytes_.data() + offset, n);
    return n;
}

}  // namespace faceid
