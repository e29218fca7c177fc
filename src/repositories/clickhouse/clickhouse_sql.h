#pragma once
// The one place where values become ClickHouse SQL text. ClickHouse 18.16 has no query parameters
// ({name:Type} came in 19.x), so every string that reaches a query from outside goes through
// quote_string(), and every identifier (the configured database name) through checked_identifier().
// Bulk data never becomes SQL: it travels as RowBinary (see row_binary.h).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

// A single-quoted ClickHouse string literal whose value is exactly `value`, byte for byte: backslash and
// quote are escaped, every control byte (0x00-0x1F, 0x7F) becomes \xHH; other bytes, including invalid
// UTF-8, are copied (ClickHouse strings are byte strings and the literal ends only at an unescaped quote).
std::string quote_string(std::string_view value);

// "('a', 'b', ...)" for an IN list; "('')" for an empty list (matches nothing that callers ask for).
std::string quoted_list(const std::vector<std::string>& values);

// The name itself when it is a plain identifier ([A-Za-z_][A-Za-z0-9_]*, at most 64 characters);
// throws Error(kInvalidField) otherwise. Used for the configured database name.
std::string checked_identifier(std::string_view name);

}  // namespace faceid
