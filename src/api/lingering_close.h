#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace faceid {

// A lingering close, as nginx does it: when an answer goes out before the request's body was read (a bad
// key, a body too large, a busy server), closing the socket with unread bytes in it makes the kernel send
// a reset, and a client still writing its body then gets EPIPE or ECONNRESET instead of the answer (the
// reset can also discard the answer from the client's receive buffer). The closer takes a duplicate of
// such a socket, shuts down its sending side once the answer is out, and reads and drops what still
// comes, until the client closes or a bound is reached: a time, a byte count, a number of sockets held.
class LingeringCloser {
  public:
    struct Limits {
        size_t max_sockets = 64;  // beyond it a socket is closed at once (the reset comes back, nothing else)
        std::chrono::milliseconds max_time{10'000};  // per socket, from when it is handed over
        std::chrono::milliseconds max_silence{2'000};
        uint64_t max_bytes = 64ull * 1024 * 1024;  // per socket
    };

    explicit LingeringCloser(Limits limits);
    ~LingeringCloser();  // closes every socket still held
    LingeringCloser(const LingeringCloser&) = delete;
    LingeringCloser& operator=(const LingeringCloser&) = delete;

    // Takes ownership of `fd`, a duplicate of a connection's socket whose answer has been sent.
    void hand_over(int fd);
    size_t held() const;  // sockets lingering now

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceid
