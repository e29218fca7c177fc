#include "api/lingering_close.h"

#include <spdlog/spdlog.h>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace faceid {
namespace {
using Clock = std::chrono::steady_clock;

struct Lingering {
    Clock::time_point until;      // the time bound
    Clock::time_point last_read;  // for the silence bound
    uint64_t bytes = 0;
};
}  // namespace

struct LingeringCloser::Impl {
    Limits limits;
    int epoll_fd = -1;
    int wake_fd = -1;  // an eventfd: a socket handed over, or stop
    std::mutex pending_mutex;
    std::vector<int> pending;      // handed over, not yet watched (guarded by pending_mutex)
    bool finished = false;         // the reader has stopped: close at once (guarded by pending_mutex)
    std::atomic<size_t> count{0};  // pending and watched
    std::atomic<bool> stopping{false};
    std::thread reader;
    std::unordered_map<int, Lingering> sockets;  // watched: the reader thread's own

    void close_socket(int fd) {
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        sockets.erase(fd);
        count.fetch_sub(1);
    }

    void watch_pending() {
        std::vector<int> handed;
        {
            std::lock_guard lock(pending_mutex);
            handed.swap(pending);
        }
        const auto now = Clock::now();
        for (const int fd : handed) {
            epoll_event event{};
            event.events = EPOLLIN | EPOLLRDHUP;
            event.data.fd = fd;
            sockets[fd] = Lingering{now + limits.max_time, now, 0};
            if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) close_socket(fd);
        }
    }

    // Reads and drops what is waiting, at most 1 MB a turn so that one fast client cannot starve the
    // others; whether the socket is done with (closed by the client, an error, or over its byte bound).
    bool drain(int fd, Lingering& lingering) {
        char sink[64 * 1024];
        for (int turn = 0; turn < 16; ++turn) {
            const ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
            if (n == 0) return true;
            if (n < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
            lingering.bytes += uint64_t(n);
            lingering.last_read = Clock::now();
            if (lingering.bytes > limits.max_bytes) return true;
        }
        return false;
    }

    void run() {
        epoll_event events[64];
        while (!stopping.load()) {
            const int ready = ::epoll_wait(epoll_fd, events, 64, 200);
            for (int i = 0; i < ready; ++i) {
                const int fd = events[i].data.fd;
                if (fd == wake_fd) {
                    uint64_t wakes = 0;
                    [[maybe_unused]] const auto got = ::read(wake_fd, &wakes, sizeof wakes);
                    continue;
                }
                auto found = sockets.find(fd);
                if (found != sockets.end() && drain(fd, found->second)) close_socket(fd);
            }
            watch_pending();
            const auto now = Clock::now();
            for (auto it = sockets.begin(); it != sockets.end();) {
                const bool over = now >= it->second.until || now - it->second.last_read >= limits.max_silence;
                const int fd = it->first;
                ++it;
                if (over) close_socket(fd);
            }
        }
        for (const auto& [fd, lingering] : sockets) ::close(fd);
        std::lock_guard lock(pending_mutex);
        for (const int fd : pending) ::close(fd);
        pending.clear();
        finished = true;
    }

    void wake() {
        const uint64_t one = 1;
        [[maybe_unused]] const auto written = ::write(wake_fd, &one, sizeof one);
    }
};

LingeringCloser::LingeringCloser(Limits limits) : impl_(std::make_unique<Impl>()) {
    impl_->limits = limits;
    impl_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    impl_->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (impl_->epoll_fd >= 0 && impl_->wake_fd >= 0) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = impl_->wake_fd;
        ::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_ADD, impl_->wake_fd, &event);
        impl_->reader = std::thread([this] { impl_->run(); });
    } else {
        spdlog::warn("http: no lingering close ({}); early refusals close at once", std::strerror(errno));
    }
}

LingeringCloser::~LingeringCloser() {
    impl_->stopping.store(true);
    if (impl_->reader.joinable()) {
        impl_->wake();
        impl_->reader.join();
    }
    if (impl_->wake_fd >= 0) ::close(impl_->wake_fd);
    if (impl_->epoll_fd >= 0) ::close(impl_->epoll_fd);
}

void LingeringCloser::hand_over(int fd) {
    if (fd < 0) return;
    // The answer is out: the client sees its end, then everything it still sends is read and dropped.
    ::shutdown(fd, SHUT_WR);
    {
        std::lock_guard lock(impl_->pending_mutex);
        if (!impl_->reader.joinable() || impl_->finished ||
            impl_->count.load() >= impl_->limits.max_sockets) {
            ::close(fd);
            return;
        }
        impl_->count.fetch_add(1);
        impl_->pending.push_back(fd);
    }
    impl_->wake();
}

size_t LingeringCloser::held() const {
    return impl_->count.load();
}

}  // namespace faceid
