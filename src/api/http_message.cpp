#include "api/http_message.h"

#include <algorithm>
#include <cctype>

namespace faceid {

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
}

const std::string& HttpRequest::path_param(size_t i) const {
    static const std::string kEmpty;
    return i < path_params.size() ? path_params[i] : kEmpty;
}

std::string HttpRequest::param(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
}

std::string HttpRequest::header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

const FormPart* HttpRequest::part(const std::string& name) const {
    const auto it = parts.find(name);
    return it == parts.end() ? nullptr : &it->second;
}

std::vector<const FormPart*> HttpRequest::parts_named(const std::string& name) const {
    std::vector<const FormPart*> out;
    const auto range = parts.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) out.push_back(&it->second);
    return out;
}

void HttpResponse::set_header(const std::string& name, std::string value) {
    headers.erase(name);
    headers.emplace(name, std::move(value));
}

}  // namespace faceid
