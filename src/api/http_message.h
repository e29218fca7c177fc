#pragma once
// The HTTP exchange as route handlers see it, independent of the HTTP library: a request (method, path
// parameters, query parameters, headers, body or multipart parts) and a response (status, headers, body).
// The adapter in http_server.cpp fills a request from the transport and writes the response back; no
// route file includes the transport's header.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

// Header names compare case-insensitively (RFC 9110 section 5.1).
struct HeaderNameLess {
    bool operator()(std::string_view a, std::string_view b) const;
    using is_transparent = void;
};
using HttpHeaders = std::multimap<std::string, std::string, HeaderNameLess>;

// One part of a multipart/form-data body.
struct FormPart {
    std::string content;
    std::string filename;
    std::string content_type;
};

struct HttpRequest {
    std::string method;                    // GET, POST, PATCH, DELETE
    std::string path;                      // as requested, decoded
    std::vector<std::string> path_params;  // the {id}s of the route pattern, in order
    std::multimap<std::string, std::string> query;
    HttpHeaders headers;
    std::string body;  // empty for multipart/form-data (see parts)
    bool multipart = false;
    std::multimap<std::string, FormPart> parts;
    std::string remote_addr;

    const std::string& path_param(size_t i) const;
    bool has_param(const std::string& name) const { return query.count(name) > 0; }
    // The first value, or "" when absent.
    std::string param(const std::string& name) const;
    bool has_header(const std::string& name) const { return headers.count(name) > 0; }
    std::string header(const std::string& name) const;
    bool has_part(const std::string& name) const { return parts.count(name) > 0; }
    // The first part of that name (nullptr when absent) and every part of that name, in order.
    const FormPart* part(const std::string& name) const;
    std::vector<const FormPart*> parts_named(const std::string& name) const;
};

// A body read while it is sent (a photo streamed from object storage) instead of held in memory. The
// transport pulls it in pieces: read(offset, out, max) fills up to max bytes at offset and returns how many
// (0 only at the end), or nullopt on failure, which closes the connection mid-body (the length was sent).
struct StreamedBody {
    uint64_t size = 0;
    std::function<std::optional<size_t>(uint64_t offset, char* out, size_t max)> read;
};

struct HttpResponse {
    int status = 200;
    HttpHeaders headers;
    std::string body;
    std::string content_type;
    std::optional<StreamedBody> stream;  // when set, sent instead of body

    void set_header(const std::string& name, std::string value);
    void set_content(std::string content, std::string type) {
        body = std::move(content);
        content_type = std::move(type);
    }
    void set_stream(StreamedBody source, std::string type) {
        body.clear();
        stream = std::move(source);
        content_type = std::move(type);
    }
};

}  // namespace faceid
