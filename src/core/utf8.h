#pragma once
// UTF-8 checks and conversions of text that comes from outside (form fields, paths).
#include <string>
#include <string_view>

namespace faceid {

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);
// ISO-8859-1 bytes as UTF-8 (each byte is the code point of the same number).
std::string latin1_to_utf8(std::string_view latin1);

}  // namespace faceid
