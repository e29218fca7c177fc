#pragma once
// The opaque cursor of person lists, shared by every PersonRepository: hex of "<created_at>:<id>", the
// keyset position after the last person of a page.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace faceid {

std::string encode_list_cursor(int64_t created_at, const std::string& id);
// Throws Error(kInvalidField, field "cursor") for anything encode_list_cursor did not produce.
std::pair<int64_t, std::string> decode_list_cursor(std::string_view cursor);

}  // namespace faceid
