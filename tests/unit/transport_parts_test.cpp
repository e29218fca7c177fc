// The transport's small parts, with real files, sockets and threads: static file lookup (no way out of a
// mounted folder, content types), the bounded worker pool (refuses work when full, finishes what it took)
// and the lingering close (reads and drops a client's late body, within its bounds).
#include "api/lingering_close.h"
#include "api/static_files.h"
#include "api/worker_pool.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

TEST(StaticFilesTest, FindsFilesInsideTheMountOnly) {
    const fs::path root = make_temp_dir("faceid-static");
    write(root / "web" / "index.html", "<html>");
    write(root / "web" / "app.js", "1");
    write(root / "web" / "sub" / "index.html", "<p>");
    write(root / "swagger" / "swagger-ui.css", "body{}");
    write(root / "secret.txt", "no");
    StaticFiles files;
    ASSERT_TRUE(files.mount("/", root / "web"));
    ASSERT_TRUE(files.mount("/docs/assets", root / "swagger"));
    EXPECT_FALSE(files.mount("/x", root / "missing"));

    auto index = files.find("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->path, root / "web" / "index.html");
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(index->size, 6u);
    EXPECT_EQ(files.find("/app.js")->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(files.find("/sub/")->path, root / "web" / "sub" / "index.html");
    EXPECT_EQ(files.find("/docs/assets/swagger-ui.css")->content_type, "text/css; charset=utf-8");
    EXPECT_EQ(files.find("/./app.js")->path, root / "web" / "app.js");
    for (const std::string& path :
         std::vector<std::string>{"/../secret.txt", "/sub/../../secret.txt", "/docs/assets/../../secret.txt",
                                  "/app.js%00", std::string("/app.js\0.html", 13), "/missing.js", "/healthz",
                                  "relative", "/docs/assetsx/swagger-ui.css", "/sub\\..\\..\\secret.txt"}) {
        SCOPED_TRACE(path);
        EXPECT_FALSE(files.find(path));
    }
    fs::remove_all(root);
}

TEST(WorkerPoolTest, RefusesWorkBeyondItsQueueAndFinishesWhatItTook) {
    WorkerPool pool(1, 2);
    std::promise<void> release;
    auto gate = release.get_future().share();
    std::atomic<int> ran{0};
    std::promise<void> started;
    ASSERT_TRUE(pool.try_submit([&] {
        started.set_value();
        gate.wait();
        ++ran;
    }));
    started.get_future().wait();  // the one thread is busy; two may wait
    EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
    EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
    EXPECT_FALSE(pool.try_submit([&] { ++ran; }));
    release.set_value();
    pool.shutdown();
    EXPECT_EQ(ran.load(), 3);
    EXPECT_FALSE(pool.try_submit([&] { ++ran; }));
}

// A connected pair of stream sockets: [0] the server's end (handed over), [1] the client's.
std::array<int, 2> socket_pair() {
    std::array<int, 2> ends{-1, -1};
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends.data()), 0);
    timeval timeout{10, 0};
    ::setsockopt(ends[1], SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    ::setsockopt(ends[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return ends;
}

// What a client that writes its whole body first gets: how much of it went out, and whether it then read
// the server's end of the stream (not an error).
struct ClientSide {
    ssize_t sent = 0;
    bool saw_end = false;
};

ClientSide write_then_read(int fd, size_t bytes) {
    const std::string body(bytes, 'x');
    ClientSide side;
    side.sent = ::send(fd, body.data(), body.size(), MSG_NOSIGNAL);
    char buffer[256];
    side.saw_end = ::recv(fd, buffer, sizeof buffer, 0) == 0;
    ::close(fd);
    return side;
}

TEST(LingeringCloserTest, ReadsAndDropsALateBodyThenCloses) {
    LingeringCloser closer(LingeringCloser::Limits{});
    const auto ends = socket_pair();
    closer.hand_over(ends[0]);
    // Far more than the socket buffers hold: every byte is read by the closer.
    const ClientSide client = write_then_read(ends[1], 8 << 20);
    EXPECT_EQ(client.sent, ssize_t(8 << 20));
    EXPECT_TRUE(client.saw_end);  // the sending side was shut down at hand-over
    // The client closed: the closer lets go of the socket.
    for (int i = 0; i < 100 && closer.held() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(closer.held(), 0u);
}

TEST(LingeringCloserTest, HoldsBoundedSocketsForABoundedByteCount) {
    LingeringCloser::Limits limits;
    limits.max_sockets = 1;
    limits.max_bytes = 1 << 20;
    LingeringCloser closer(limits);
    const auto greedy = socket_pair();
    closer.hand_over(greedy[0]);
    EXPECT_EQ(closer.held(), 1u);
    // The one place is taken: the next socket is closed at once, and its client's write fails.
    const auto second = socket_pair();
    closer.hand_over(second[0]);
    EXPECT_EQ(closer.held(), 1u);
    const std::string little(1024, 'x');
    EXPECT_LT(::send(second[1], little.data(), little.size(), MSG_NOSIGNAL), 0);
    ::close(second[1]);
    // Past its byte bound a socket is closed: the rest of the write fails.
    EXPECT_LT(write_then_read(greedy[1], 16 << 20).sent, ssize_t(16 << 20));
    for (int i = 0; i < 100 && closer.held() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(closer.held(), 0u);
}

TEST(LingeringCloserTest, LetsASilentClientGo) {
    LingeringCloser::Limits limits;
    limits.max_silence = std::chrono::milliseconds(300);
    LingeringCloser closer(limits);
    const auto silent = socket_pair();
    closer.hand_over(silent[0]);
    EXPECT_EQ(closer.held(), 1u);
    for (int i = 0; i < 100 && closer.held() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(closer.held(), 0u);
    char byte;
    EXPECT_EQ(::recv(silent[1], &byte, 1, 0), 0);  // the end of the stream, not a reset: nothing was unread
    ::close(silent[1]);
}

}  // namespace
}  // namespace faceid::testing
