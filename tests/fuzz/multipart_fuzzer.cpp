// Fuzzes httplib's request parsing (request line, headers, Content-Length and chunked bodies,
// multipart/form-data) together with RequestReader over the parsed fields, in memory: the bytes are fed
// to Server::process_request through a Stream, as a socket would. The first input byte chooses the
// shape: even = the rest is a multipart body behind fixed, valid headers (to reach deep into the
// multipart parser); odd = the rest is a whole raw HTTP request.
#include "api/request_reader.h"
#include "core/error.h"

#include <httplib.h>

#include <cstdint>
#include <string>

namespace {

class MemoryStream : public httplib::Stream {
  public:
    explicit MemoryStream(std::string input) : input_(std::move(input)) {}
    bool is_readable() const override { return position_ < input_.size(); }
    bool is_writable() const override { return true; }
    ssize_t read(char* ptr, size_t size) override {
        const size_t n = std::min(size, input_.size() - position_);
        std::copy_n(input_.data() + position_, n, ptr);
        position_ += n;
        return ssize_t(n);
    }
    ssize_t write(const char*, size_t size) override { return ssize_t(size); }
    void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = "127.0.0.1", port = 1; }
    void get_local_ip_and_port(std::string& ip, int& port) const override { ip = "127.0.0.1", port = 2; }
    socket_t socket() const override { return INVALID_SOCKET; }

  private:
    std::string input_;
    size_t position_ = 0;
};

// Exposes the protected request processing of httplib::Server.
class InMemoryServer : public httplib::Server {
  public:
    InMemoryServer() {
        set_payload_max_length(1 << 20);
        Post("/register", [](const httplib::Request& req, httplib::Response& res) { read_fields(req, res); });
    }
    void feed(std::string bytes) {
        MemoryStream stream(std::move(bytes));
        bool closed = false;
        process_request(stream, /*close_connection=*/true, closed, [](httplib::Request&) {});
    }

  private:
    // What the server's adapter (src/api/http_server.cpp) hands a route handler.
    static faceid::HttpRequest neutral(const httplib::Request& req) {
        faceid::HttpRequest out;
        out.method = req.method;
        out.path = req.path;
        for (const auto& [name, value] : req.headers) out.headers.emplace(name, value);
        out.multipart = req.is_multipart_form_data();
        out.body = req.body;
        for (const auto& [name, file] : req.files)
            out.parts.emplace(name, faceid::FormPart{file.content, file.filename, file.content_type});
        return out;
    }

    static void read_fields(const httplib::Request& req, httplib::Response& res) {
        try {
            const faceid::HttpRequest request = neutral(req);
            const faceid::RequestReader in(request);
            for (const char* field : {"name", "external_id", "person_id"}) {
                try {
                    (void)in.text(field);
                } catch (const faceid::Error&) {
                }
            }
            try {
                (void)in.object("metadata");
            } catch (const faceid::Error&) {
            }
            try {
                (void)in.integer("top_k", 1, 100);
            } catch (const faceid::Error&) {
            }
            (void)in.photo("photo");
            res.status = 200;
        } catch (const faceid::Error&) {
            res.status = 400;
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static InMemoryServer server;
    if (size == 0) return 0;
    const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0) {
        server.feed(
            "POST /register HTTP/1.1\r\nHost: fuzz\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
            "Content-Length: " +
            std::to_string(rest.size()) + "\r\n\r\n" + rest);
    } else {
        server.feed(rest);
    }
    return 0;
}
