#pragma once
// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) are kept, every other byte
// becomes %XX (upper-case hex; '/' too). What a ClickHouse query parameter and an S3 SigV4 canonical
// query both want.
#include <string>
#include <string_view>

namespace faceid {

std::string percent_encode(std::string_view text);

}  // namespace faceid
