#pragma once
// HTTP/1.1 (and HTTPS) on libmicrohttpd: the only file that knows the HTTP library. One epoll event loop
// reads and writes every connection, so a slow or idle client holds a connection and a little memory,
// never a thread. Each request whose headers are in is first admitted on the loop (a quick check, no I/O);
// its body is then read there, piece by piece (multipart parsed as it arrives); the handler runs on a
// bounded worker pool while the connection is suspended, and the answer goes out from the loop again.
//
// What bounds a hostile client (issue 12):
// - connections: a total and a per-address limit (more are closed at accept);
// - headers: all of a request's header lines share one buffer (the connection memory limit): a header
//   flood is answered 431 and closed; a client that has not finished its headers `header_timeout`
//   seconds after the connection opened, or after its previous answer, is disconnected (slow-loris), and so
//   is one whose admitted body is not in after `body_timeout` seconds;
// - any connection silent for `idle_timeout` seconds is closed;
// - bodies: admit() sees the headers before any body byte (413 at once for a Content-Length over the
//   limit), check() runs on a worker before the body is read (a bad API key gets its 401 without sending
//   a byte of it), and the transport refuses a body that grows past the limit anyway;
// - work: at most `queue_capacity` admitted requests wait for a worker; beyond that, 503 at once.
#include "api/http_message.h"
#include "api/static_files.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace faceid {

struct TransportSettings {
    std::string host = "127.0.0.1";
    int port = 8000;                        // 0 picks a free port
    std::string tls_cert_pem, tls_key_pem;  // both set: HTTPS
    size_t worker_threads = 8;
    size_t queue_capacity = 32;
    unsigned max_connections = 2000;
    unsigned connections_per_address = 256;
    // Holds a connection's request line, header lines and read buffer: 32 KB is ample for real clients
    // (an API key is ~90 bytes) and is the whole memory a slow or idle connection costs.
    size_t connection_memory_bytes = 32 * 1024;
    unsigned idle_timeout_seconds = 15;
    unsigned header_timeout_seconds = 10;
    unsigned body_timeout_seconds = 120;
    uint64_t max_body_bytes = 10 * 1024 * 1024;
    // All bodies held at once, by their declared length, from admission to completion: without it, every
    // connection could hold a maximal body (2,000 x 10 MB). Raised to max_body_bytes if below.
    uint64_t max_buffered_body_bytes = 256ull * 1024 * 1024;
    size_t max_form_parts = 256;
    HttpHeaders default_headers;  // on every response we build (libmicrohttpd's own 400/431 pages excluded)
};

// What the transport calls for each request.
class HttpHandler {
  public:
    virtual ~HttpHandler() = default;
    // On the event loop, once the request line and headers are in and before any body byte is read. Must
    // be quick and must not block (no storage, no key lookup). A response refuses the request: it is sent
    // at once and the connection closed after it, the body unread.
    virtual std::optional<HttpResponse> admit(const HttpRequest& head) = 0;
    // On the event loop, after admit() let a request with a body through: whether check() must pass
    // before its body is read. Quick, no I/O.
    virtual bool check_before_body(const HttpRequest& head) = 0;
    // On a worker thread, before any byte of the body is read (the connection suspended meanwhile): a check
    // that may block, such as an API key lookup in storage. A response refuses the request: it is sent at
    // once and the connection closed after it, the body unread.
    virtual std::optional<HttpResponse> check(const HttpRequest& head) = 0;
    // On a worker thread, once the whole body is in.
    virtual void serve(HttpRequest& request, HttpResponse& response) = 0;
};

class HttpTransport {
  public:
    HttpTransport(TransportSettings settings, HttpHandler& handler, StaticFiles static_files);
    ~HttpTransport();
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;

    // Binds the listening socket and starts serving; false when the address is taken or not local. Throws
    // Error when libmicrohttpd cannot start (e.g. a certificate it cannot load).
    bool bind();
    int port() const;
    // Blocks until stop(); then stops accepting, finishes the requests in flight and closes.
    void listen();
    void stop();
    bool running() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceid
