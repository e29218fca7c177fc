// The transport's small parts, with real files and threads: static file lookup (no way out of a mounted
// folder, content types) and the bounded worker pool (refuses work when full, finishes what it took).
#include "api/static_files.h"
#include "api/worker_pool.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>

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

}  // namespace
}  // namespace faceid::testing
