// Fuzzes the server's multipart/form-data path as it runs in production: libmicrohttpd parses the request
// and hands the body over in pieces, api/multipart_reader (MHD_PostProcessor) turns them into parts, and
// RequestReader reads the fields the routes read. The post processor needs a live MHD_Connection, so each
// input is one real HTTP request sent over a socketpair to an in-process daemon that has no listening
// socket (MHD_USE_NO_LISTEN_SOCKET, MHD_add_connection) and no thread of its own: the fuzzer turns its
// event loop with MHD_run(), so each input runs on this one thread, start to end, and repeats exactly.
//
// Input: the first byte chooses the request's Content-Type. Even: "multipart/form-data; boundary=XyZ" and
// the rest is the body (to reach deep into the part parser). Odd: the Content-Type is the rest up to the
// first newline (at most 200 bytes; boundary parsing), the body what follows it.
#include "api/http_message.h"
#include "api/multipart_reader.h"
#include "api/request_reader.h"
#include "core/error.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

constexpr size_t kMaxParts = 2 * 64 + 32;  // as the server: 2 x max_batch + 32

// One request's state, as api/http_transport's Exchange keeps it.
struct Exchange {
    bool started = false;
    std::unique_ptr<faceid::MultipartReader> form;
    bool failed = false;
};

void read_fields(const faceid::HttpRequest& request) {
    const auto attempt = [](auto&& fn) {
        try {
            fn();
        } catch (const faceid::Error&) {
        }
    };
    attempt([&] {
        const faceid::RequestReader in(request);
        for (const char* field : {"name", "external_id", "person_id"}) attempt([&] { (void)in.text(field); });
        attempt([&] { (void)in.object("metadata"); });
        attempt([&] { (void)in.integer("top_k", 1, 100); });
        attempt([&] { (void)in.boolean("all_faces", false); });
        attempt([&] { (void)in.photo("photo"); });
        (void)request.parts_named("photos");
    });
}

enum MHD_Result respond(MHD_Connection* connection, unsigned status) {
    static const char kBody[] = "{}";
    MHD_Response* response =
        MHD_create_response_from_buffer(sizeof kBody - 1, const_cast<char*>(kBody), MHD_RESPMEM_PERSISTENT);
    const auto result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

// The transport's order of calls: headers (the reader is made), body pieces (fed), the end (finished,
// then the parts are read as a route would).
enum MHD_Result on_access(void*, MHD_Connection* connection, const char*, const char*, const char*,
                          const char* upload, size_t* upload_size, void** context) {
    auto* exchange = static_cast<Exchange*>(*context);
    if (!exchange) {
        exchange = new Exchange;
        *context = exchange;
    }
    if (!exchange->started) {
        exchange->started = true;
        exchange->form = std::make_unique<faceid::MultipartReader>(connection, kMaxParts);
        if (!exchange->form->valid()) return respond(connection, 400);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!exchange->failed && !exchange->form->feed(upload, *upload_size)) exchange->failed = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (exchange->failed || !exchange->form->finish()) return respond(connection, 400);
    faceid::HttpRequest request;
    request.method = "POST";
    request.path = "/register";
    request.multipart = true;
    request.parts = exchange->form->take_parts();
    read_fields(request);
    return respond(connection, 200);
}

void on_completed(void*, MHD_Connection*, void** context, enum MHD_RequestTerminationCode) {
    delete static_cast<Exchange*>(*context);
    *context = nullptr;
}

MHD_Daemon* daemon_for_fuzzing() {
    // As the server: the same connection memory (32 KB), so body pieces arrive in the same sizes.
    static MHD_Daemon* daemon =
        MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, nullptr, nullptr, &on_access, nullptr,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, size_t(32 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
                         &on_completed, nullptr, MHD_OPTION_END);
    if (!daemon) std::abort();
    return daemon;
}

// Sends `request` to the daemon over a socketpair and turns its event loop until it has answered and
// closed (Connection: close) or stops making progress.
void exchange_once(MHD_Daemon* daemon, const std::string& request) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) std::abort();
    const int client = pair[0];
    ::fcntl(client, F_SETFL, O_NONBLOCK);
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (MHD_add_connection(daemon, pair[1], reinterpret_cast<sockaddr*>(&peer), sizeof peer) != MHD_YES) {
        ::close(client);
        return;  // the daemon closed the server end
    }
    size_t sent = 0;
    bool write_closed = false;
    char answer[4096];
    for (int idle = 0; idle < 64;) {
        bool progress = false;
        if (sent < request.size()) {
            const ssize_t n = ::send(client, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n > 0) sent += size_t(n), progress = true;
        } else if (!write_closed) {
            ::shutdown(client, SHUT_WR);  // the end of the input: a body shorter than declared ends here
            write_closed = true;
        }
        MHD_run(daemon);
        const ssize_t got = ::recv(client, answer, sizeof answer, 0);
        if (got == 0) break;  // answered and closed
        if (got > 0) progress = true;
        if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;
        idle = progress ? 0 : idle + 1;
    }
    ::close(client);
    MHD_run(daemon);  // lets the daemon see the close and free the connection
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static MHD_Daemon* daemon = daemon_for_fuzzing();
    if (size == 0) return 0;
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string content_type = "multipart/form-data; boundary=XyZ";
    if (data[0] % 2 == 1) {
        const size_t newline = rest.find('\n');
        content_type = std::string(rest.substr(0, std::min<size_t>(newline, 200)));
        rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
        for (char& c : content_type)
            if (c == '\r' || c == '\0') c = ' ';  // a header value cannot hold them
    }
    const std::string request =
        "POST /register HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\nContent-Type: " + content_type +
        "\r\nContent-Length: " + std::to_string(rest.size()) + "\r\n\r\n" + std::string(rest);
    exchange_once(daemon, request);
    return 0;
}
