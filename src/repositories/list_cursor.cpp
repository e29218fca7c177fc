#include "repositories/list_cursor.h"

#include "core/error.h"

#include <charconv>

namespace faceid {
namespace {

[[noreturn]] void throw_bad_cursor() {
    throw Error(ErrorCode::kInvalidField, "cursor is not one this server returned", {{"field", "cursor"}});
}

}  // namespace

std::string encode_list_cursor(int64_t created_at, const std::string& id) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string plain = std::to_string(created_at) + ":" + id;
    std::string out;
    out.reserve(plain.size() * 2);
    for (unsigned char c : plain) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

std::pair<int64_t, std::string> decode_list_cursor(std::string_view cursor) {
    if (cursor.size() % 2 != 0 || cursor.size() > 1024) throw_bad_cursor();
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        throw_bad_cursor();
    };
    std::string plain;
    for (size_t i = 0; i < cursor.size(); i += 2)
        plain += char(nibble(cursor[i]) << 4 | nibble(cursor[i + 1]));
    size_t colon = plain.find(':');
    if (colon == std::string::npos || colon + 1 == plain.size()) throw_bad_cursor();
    int64_t created_at = 0;
    auto [end, error] = std::from_chars(plain.data(), plain.data() + colon, created_at);
    if (error != std::errc() || end != plain.data() + colon) throw_bad_cursor();
    return {created_at, plain.substr(colon + 1)};
}

}  // namespace faceid
