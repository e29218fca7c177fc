#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace faceid {
// Standard base64 (RFC 4648), padding optional, whitespace ignored; a "data:...;base64," prefix is skipped.
// nullopt for any other character or a malformed length.
std::optional<std::string> base64_decode(std::string_view text);
}  // namespace faceid
