#include "repositories/clickhouse/clickhouse_sql.h"

#include "core/error.h"

namespace faceid {

std::string quote_string(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size() + 2);
    out += '\'';
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\\' || c == '\'') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7F) {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 15];
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

std::string quoted_list(const std::vector<std::string>& values) {
    if (values.empty()) return "('')";
    std::string out = "(";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out += ", ";
        out += quote_string(values[i]);
    }
    out += ')';
    return out;
}

std::string checked_identifier(std::string_view name) {
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    bool ok = !name.empty() && name.size() <= 64 && letter(name[0]);
    for (char c : name) ok = ok && (letter(c) || (c >= '0' && c <= '9'));
    if (!ok)
        throw Error(ErrorCode::kInvalidField,
                    "the ClickHouse database name must be letters, digits and _ (not starting with a digit)",
                    {{"field", "clickhouse.database"}});
    return std::string(name);
}

}  // namespace faceid
