#pragma once
// Reads the fields of an API request, from multipart/form-data or from a JSON body (photos as base64),
// with the same validation either way. Every problem becomes an Error with the field's name in details.
#include "api/http_message.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace faceid {

class RequestReader {
  public:
    // Throws Error(kUnsupportedMediaType) for other content types and Error(kBadRequest) for bad JSON.
    explicit RequestReader(const HttpRequest& request);
    // Reads the fields of one JSON object (an item of a batch request) the same way.
    explicit RequestReader(nlohmann::json object);

    bool has(const std::string& name) const;
    // Text field, trimmed of surrounding white space; control characters are refused.
    std::optional<std::string> text(const std::string& name, size_t max_length = 200) const;
    std::string required_text(const std::string& name, size_t max_length = 200) const;
    std::optional<int> integer(const std::string& name, int min, int max) const;
    std::optional<double> number(const std::string& name, double min, double max) const;
    bool boolean(const std::string& name, bool fallback) const;
    // A JSON object given as a JSON value or as a string holding JSON; limited in size and depth.
    std::optional<nlohmann::json> object(const std::string& name, size_t max_bytes = 16 * 1024) const;
    // Photo bytes: a file part (multipart) or a base64 string (JSON).
    std::optional<std::string> photo(const std::string& name) const;
    std::string required_photo(const std::string& name) const;

    // The parsed JSON body (null for multipart).
    const nlohmann::json& json_body() const { return body_; }

  private:
    const HttpRequest& request_;
    bool json_ = false;
    nlohmann::json body_;
};

}  // namespace faceid
