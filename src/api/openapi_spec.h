#pragma once
#include <string_view>

namespace faceid {
// The OpenAPI 3 document of every route (src/api/openapi.json, compiled in).
extern const std::string_view kOpenApiSpec;
}  // namespace faceid
