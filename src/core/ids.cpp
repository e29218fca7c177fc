#include "core/ids.h"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace faceid {

namespace {
void fill_random(unsigned char* out, size_t n) {
    if (RAND_bytes(out, int(n)) != 1) throw std::runtime_error("no randomness available");
}
}  // namespace

uint64_t random_label() {
    uint64_t value = 0;
    while (value == 0) {
        fill_random(reinterpret_cast<unsigned char*>(&value), sizeof value);
        value &= 0x7fffffffffffffffULL;
    }
    return value;
}

std::string random_hex(size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    fill_random(raw.data(), bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : raw) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

std::string new_person_id() {
    std::string id = "p";  // appended rather than "p" + ..., which trips GCC 12's -Wrestrict false positive
    id += random_hex(8);
    return id;
}

std::string new_key_id() {
    std::string id = "k";
    id += random_hex(8);
    return id;
}

std::string face_id_from_label(uint64_t label) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "f%016llx", static_cast<unsigned long long>(label));
    return buf;
}

bool is_well_formed_id(std::string_view id, char prefix) {
    if (id.size() != 17 || id[0] != prefix) return false;
    for (char c : id.substr(1))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::optional<uint64_t> label_from_face_id(std::string_view id) {
    if (!is_well_formed_id(id, 'f')) return std::nullopt;
    uint64_t value = std::stoull(std::string(id.substr(1)), nullptr, 16);
    if (value == 0 || value > 0x7fffffffffffffffULL) return std::nullopt;
    return value;
}

}  // namespace faceid
