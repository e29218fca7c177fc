#include "api/base64.h"

#include <array>

namespace faceid {
namespace {
constexpr std::array<int8_t, 256> make_table() {
    std::array<int8_t, 256> table{};
    for (auto& v : table) v = -1;
    constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < kAlphabet.size(); ++i) table[uint8_t(kAlphabet[i])] = int8_t(i);
    table[uint8_t('-')] = 62;  // URL-safe alphabet too
    table[uint8_t('_')] = 63;
    return table;
}
constexpr auto kTable = make_table();
}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.starts_with("data:")) {
        const auto comma = text.find(',');
        if (comma == std::string_view::npos ||
            text.substr(0, comma).find(";base64") == std::string_view::npos)
            return std::nullopt;
        text.remove_prefix(comma + 1);
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    uint32_t buffer = 0;
    int bits = 0, padding = 0;
    size_t symbols = 0;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        if (padding > 0) return std::nullopt;  // data after padding
        const int8_t v = kTable[uint8_t(c)];
        if (v < 0) return std::nullopt;
        ++symbols;
        buffer = (buffer << 6) | uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((buffer >> bits) & 0xFF);
        }
    }
    if (symbols % 4 == 1 || padding > 2) return std::nullopt;
    return out;
}

}  // namespace faceid
