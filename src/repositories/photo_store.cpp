#include "repositories/photo_store.h"

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

}  // namespace faceid
