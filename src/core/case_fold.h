#pragma once
// Unicode-aware case folding for name filters: "José ÁLVAREZ" and "josé álvarez" fold alike, as
// ClickHouse's positionCaseInsensitiveUTF8 treats them, so both storage backends filter names the same.
#include <string>
#include <string_view>

namespace faceid {

// Lower-cases every code point of a UTF-8 string with the C.UTF-8 locale's simple case mapping (ASCII
// only if that locale is missing). Bytes that are not valid UTF-8 are kept as they are.
std::string fold_case(std::string_view utf8);

}  // namespace faceid
