// Hostile and broken requests against the real server: each gets its documented 4xx JSON error, the
// service stays up, and the persons and faces tables are byte-for-byte unchanged afterwards.
#include "core/sha256.h"
#include "integration/server_process.h"
#include "support/test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <regex>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ---- raw HTTP over a socket, for requests a well-behaved client cannot send ----

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    timeval timeout{20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    return fd;
}

// One response (headers and a Content-Length body), or whatever came before the server closed the
// connection or the receive timeout passed.
std::string read_all(int fd) {
    std::string out;
    char buffer[8192];
    for (;;) {
        const auto end = out.find("\r\n\r\n");
        if (end != std::string::npos) {
            const std::regex length_header(R"(\r\nContent-Length: (\d+)\r\n)", std::regex::icase);
            std::smatch m;
            const std::string head = out.substr(0, end + 2);
            if (std::regex_search(head, m, length_header) && out.size() >= end + 4 + std::stoul(m[1])) break;
        }
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        out.append(buffer, size_t(n));
    }
    return out;
}

JsonResponse parse_raw(const std::string& raw) {
    JsonResponse out;
    out.raw = raw;
    if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return out;
    out.status = std::stoi(raw.substr(9, 3));
    const auto body = raw.find("\r\n\r\n");
    if (body != std::string::npos) {
        out.body = nlohmann::json::parse(raw.substr(body + 4), nullptr, false);
        if (out.body.is_discarded()) out.body = nullptr;
    }
    return out;
}

// Sends the bytes (headers and whatever body) and reads one answer.
JsonResponse raw_request(int port, const std::string& bytes) {
    const int fd = connect_to(port);
    if (fd < 0) return {};
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may answer and close before taking everything (413)
        sent += size_t(n);
    }
    // No shutdown(SHUT_WR): httplib drops the answer to a peer that has half-closed.
    auto out = parse_raw(read_all(fd));
    ::close(fd);
    return out;
}

// ---- hostile photos, made here (no photos committed) ----

std::string encode(const std::string& ext, int width = 64, int height = 48) {
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(40, 120, 200));
    std::vector<uchar> bytes;
    cv::imencode(ext, image, bytes);
    return {bytes.begin(), bytes.end()};
}

std::string png_claiming(uint32_t width, uint32_t height) {
    std::string png = encode(".png");
    for (int i = 0; i < 4; ++i) {
        png[16 + i] = char((width >> (24 - 8 * i)) & 0xFF);
        png[20 + i] = char((height >> (24 - 8 * i)) & 0xFF);
    }
    return png;
}

std::string jpeg_claiming(uint16_t width, uint16_t height) {
    std::string jpeg = encode(".jpg");
    const auto sof = jpeg.find("\xFF\xC0");
    jpeg[sof + 5] = char(height >> 8), jpeg[sof + 6] = char(height & 0xFF);
    jpeg[sof + 7] = char(width >> 8), jpeg[sof + 8] = char(width & 0xFF);
    return jpeg;
}

std::string animated_gif() {
    // Two 1x1 frames with a NETSCAPE loop extension.
    const unsigned char gif[] = {
        'G', 'I',  'F',  '8',  '9',  'a',  1,   0,    1,    0,   0x80, 0,    0,    0,    0,    0,   255,
        255, 255,  0x21, 0xFF, 0x0B, 'N',  'E', 'T',  'S',  'C', 'A',  'P',  'E',  '2',  '.',  '0', 3,
        1,   0,    0,    0,    0x21, 0xF9, 4,   0,    10,   0,   0,    0,    0x2C, 0,    0,    0,   0,
        1,   0,    1,    0,    0,    2,    2,   0x44, 0x01, 0,   0x21, 0xF9, 4,    0,    10,   0,   0,
        0,   0x2C, 0,    0,    0,    0,    1,   0,    1,    0,   0,    2,    2,    0x4C, 0x01, 0,   0x3B};
    return {reinterpret_cast<const char*>(gif), sizeof gif};
}

// ---- the stored state: a checksum of every row of persons and faces, plus the photo files ----

std::string storage_checksum(const fs::path& data) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((data / "faceid.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        return "?";
    std::string all;
    for (const char* sql : {"SELECT * FROM persons ORDER BY id", "SELECT * FROM faces ORDER BY id"}) {
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
                const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, c));
                all.append(bytes ? bytes : "", size_t(sqlite3_column_bytes(stmt, c)));
                all += '\x1F';
            }
            all += '\x1E';
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    size_t files = 0;
    if (fs::exists(data / "photos"))
        for (const auto& e : fs::recursive_directory_iterator(data / "photos")) files += e.is_regular_file();
    return sha256_hex(all) + " files=" + std::to_string(files);
}

struct HostileCase {
    std::string name;
    std::function<JsonResponse()> send;
    int status;
    std::string code;
};

class HostileInputTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = make_temp_dir("faceid-hostile");
        server_ =
            std::make_unique<ServerProcess>(root_ / "data", std::vector<std::string>{"--read-timeout", "2"});
        server_->start();
    }
    void TearDown() override {
        server_.reset();
        if (!HasFailure()) fs::remove_all(root_);
    }
    // Registers one real person when the shared photos are there, so that "unchanged" means something.
    std::string register_someone(httplib::Client& http, std::string* probe = nullptr) {
        auto data = test_data_dir();
        if (!data) return "";
        const auto photos = photos_of(*data / "photos-multi" / "p02");
        for (size_t i = 0; i + 1 < photos.size(); ++i) {
            auto r = post_multipart(http, "/register", {photo_part(photos[i]), text_part("name", "Grace")});
            if (r.status == 201) {
                if (probe) *probe = read_file(photos.back());
                return r.body["person"]["id"];
            }
        }
        return "";
    }
    fs::path root_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_F(HostileInputTest, EveryBrokenRequestGetsItsJsonErrorAndStorageStaysUnchanged) {
    auto http = server_->client();
    const std::string person = register_someone(http);
    const int port = server_->port();
    const fs::path data = root_ / "data";
    const std::string before = storage_checksum(data);
    const std::string someone = person.empty() ? "p00000000000000aa" : person;

    const std::string jpeg = encode(".jpg");
    const std::string text_photo = "this is plain text, not a photo";
    const std::string svg =
        R"(<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>)";
    const std::string sql = "x'); DROP TABLE persons; --";
    const std::string control = std::string("bad\x01name\x1b[31m");
    auto photo = [](const std::string& bytes, const std::string& type = "image/jpeg") {
        return Part{"photo", bytes, "upload", type};
    };
    const Part name = text_part("name", "Someone");
    auto multipart = [&](const std::string& path, std::vector<Part> parts) {
        return [&http, path, parts] { return post_multipart(http, path, parts); };
    };
    auto json_post = [&](const std::string& path, const std::string& body) {
        return [&http, path, body] {
            auto r = http.Post(path.c_str(), body, "application/json");
            JsonResponse out;
            if (!r) return out;
            out.status = r->status;
            out.raw = r->body;
            out.body = nlohmann::json::parse(r->body, nullptr, false);
            return out;
        };
    };
    auto raw = [port](std::string bytes) { return [port, bytes] { return raw_request(port, bytes); }; };
    auto get_raw = [port](const std::string& target) {
        return [port, target] {
            return raw_request(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        };
    };
    std::string deep = "{\"photo\": \"AAAA\", \"metadata\": ";
    for (int i = 0; i < 100; ++i) deep += "{\"a\": ";
    deep += "1";
    for (int i = 0; i < 100; ++i) deep += "}";
    deep += "}";

    const std::vector<HostileCase> cases = {
        // Photos that are not what they claim.
        {"truncated JPEG", multipart("/register", {photo(jpeg.substr(0, jpeg.size() / 2)), name}), 400, "corrupt_image"},
        {"PNG claiming 100000x100000", multipart("/search", {photo(png_claiming(100000, 100000), "image/png")}), 413,
         "image_too_large"},
        {"JPEG claiming 65000x65000", multipart("/register", {photo(jpeg_claiming(65000, 65000)), name}), 413,
         "image_too_large"},
        {"zero-byte photo", multipart("/register", {photo(""), name}), 400, "empty_image"},
        {"text as the photo", multipart("/register", {photo(text_photo, "text/plain"), name}), 415, "not_an_image"},
        {"SVG as the photo", multipart("/search", {photo(svg, "image/svg+xml")}), 415, "not_an_image"},
        {"animated GIF", multipart("/register", {photo(animated_gif(), "image/gif"), name}), 415, "unsupported_format"},
        {"photo without a face", multipart("/register", {photo(jpeg), text_part("name", sql)}), 422, "no_face"},
        // Size and framing.
        // Refused on its declared length before the body is read: the answer comes while the client is still
        // sending (httplib's client gives up at the failed write without reading it; a raw one reads it).
        {"50 MB upload",
         raw("POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
             "Content-Length: " + std::to_string(50 << 20) + "\r\nConnection: close\r\n\r\n" +
             std::string(50 << 20, 'A')),
         413, "payload_too_large"},
        {"wrong content type", [&] {
             auto r = http.Post("/register", "photo=abc", "text/plain");
             return r ? JsonResponse{r->status, nlohmann::json::parse(r->body, nullptr, false), r->body} : JsonResponse{};
         }, 415, "unsupported_media_type"},
        {"missing content type",
         raw("POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"), 415,
         "unsupported_media_type"},
        {"multipart with a broken boundary",
         raw("POST /register HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\n"
             "Content-Length: 40\r\nConnection: close\r\n\r\n--yy\r\nContent-Disposition: form-data\r\n\r\nx"),
         400, "bad_request"},
        {"request line of 10,000 characters", get_raw("/persons/" + std::string(10000, 'a')), 414, "bad_request"},
        // Missing and malformed fields.
        {"missing photo (multipart)", multipart("/register", {text_part("name", "x")}), 400, "missing_field"},
        {"missing photo (JSON)", json_post("/search", R"({"top_k": 3})"), 400, "missing_field"},
        {"verify without photos", json_post("/verify", "{}"), 400, "missing_field"},
        {"batch without photos", multipart("/search/batch", {text_part("top_k", "3")}), 400, "missing_field"},
        {"10,000-character name", multipart("/register", {photo(text_photo), text_part("name", std::string(10000, 'n'))}),
         400, "invalid_field"},
        {"control characters in name", multipart("/register", {photo(jpeg), text_part("name", control)}), 400,
         "invalid_field"},
        {"control characters in external_id", multipart("/register", {photo(jpeg), text_part("external_id", control)}),
         400, "invalid_field"},
        {"control characters in person_id", multipart("/register", {photo(jpeg), text_part("person_id", control)}),
         400, "invalid_field"},
        {"control characters in metadata", multipart("/register", {photo(jpeg), text_part("metadata", "{\"a\": \"\x01\"}")}),
         400, "invalid_field"},
        {"invalid UTF-8 in name", multipart("/register", {photo(jpeg), text_part("name", "caf\xC3\x28")}), 400,
         "invalid_field"},
        {"SQL in person_id (register)", multipart("/register", {photo(jpeg), text_part("person_id", sql)}), 404,
         "not_found"},
        {"SQL in person_id (verify)", multipart("/verify", {photo(jpeg), text_part("person_id", sql)}), 404, "not_found"},
        {"SQL in top_k", multipart("/search", {photo(jpeg), text_part("top_k", "1; DROP TABLE faces")}), 400,
         "invalid_field"},
        {"SQL in a name update of an unknown person", [&] {
             auto r = http.Patch("/persons/p00000000000000aa", nlohmann::json{{"name", sql}}.dump(), "application/json");
             return r ? JsonResponse{r->status, nlohmann::json::parse(r->body, nullptr, false), r->body} : JsonResponse{};
         }, 404, "not_found"},
        {"control characters in a name update", [&] {
             auto r = http.Patch(("/persons/" + someone).c_str(), nlohmann::json{{"name", control}}.dump(), "application/json");
             return r ? JsonResponse{r->status, nlohmann::json::parse(r->body, nullptr, false), r->body} : JsonResponse{};
         }, person.empty() ? 404 : 400, person.empty() ? "not_found" : "invalid_field"},
        {"SQL in the list cursor", get_raw("/persons?cursor=%27%3B%20DROP%20TABLE%20persons%3B--"), 400, "invalid_field"},
        {"top_k = -1", multipart("/search", {photo(jpeg), text_part("top_k", "-1")}), 400, "invalid_field"},
        {"top_k = 10^9", multipart("/search", {photo(jpeg), text_part("top_k", "1000000000")}), 400, "invalid_field"},
        {"threshold = NaN", multipart("/search", {photo(jpeg), text_part("threshold", "nan")}), 400, "invalid_field"},
        {"face_index = -5", multipart("/register", {photo(jpeg), text_part("face_index", "-5")}), 400, "invalid_field"},
        {"list limit = -1", get_raw("/persons?limit=-1"), 400, "invalid_field"},
        {"metadata that is not an object", multipart("/register", {photo(jpeg), text_part("metadata", "[1,2]")}), 400,
         "invalid_field"},
        {"metadata nested 100 deep", json_post("/register", deep), 400, "json_too_deep"},
        {"malformed JSON", json_post("/search", "{\"photo\": \"AAAA\""), 400, "bad_request"},
        {"JSON that is not an object", json_post("/search", "[\"photo\"]"), 400, "bad_request"},
        {"malformed base64", json_post("/search", R"({"photo": "@@not base64@@"})"), 400, "invalid_field"},
        {"base64 of text", json_post("/register", R"({"photo": "aGVsbG8gd29ybGQ=", "name": "x"})"), 415,
         "not_an_image"},
        {"photo as a number", json_post("/search", R"({"photo": 12345})"), 400, "invalid_field"},
        // Paths.
        {"traversal on static files", get_raw("/..%2f..%2fetc/passwd"), 404, "not_found"},
        {"raw ../ on static files", get_raw("/../../etc/passwd"), 404, "not_found"},
        {"encoded dots on static files", get_raw("/%2e%2e/%2e%2e/etc/passwd"), 404, "not_found"},
        {"traversal under /docs/assets", get_raw("/docs/assets/..%2f..%2f..%2f..%2fetc%2fpasswd"), 404, "not_found"},
        {"traversal on the photo route", get_raw("/persons/..%2f..%2fetc%2fpasswd/photo"), 404, "not_found"},
        {"traversal on the crop route", get_raw("/faces/..%2F..%2Fetc%2Fpasswd/crop"), 404, "not_found"},
        {"malformed person id", get_raw("/persons/p123"), 404, "not_found"},
        {"upper-case person id", get_raw("/persons/P00000000000000AA"), 404, "not_found"},
        {"NUL in a face id", get_raw("/faces/f0000000000000%00aa/crop"), 400, "bad_request"},
        {"malformed face id on delete", [&] { return delete_json(http, "/faces/zzz"); }, 404, "not_found"},
        {"unknown route", get_raw("/admin/shell"), 404, "not_found"},
    };
    ASSERT_GE(cases.size(), 30u);

    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const JsonResponse r = c.send();
        EXPECT_EQ(r.status, c.status) << r.raw.substr(0, 400);
        ASSERT_TRUE(r.body.is_object()) << "not JSON: " << r.raw.substr(0, 400);
        EXPECT_EQ(r.body["error"]["code"], c.code) << r.raw.substr(0, 400);
        EXPECT_TRUE(r.body["error"]["message"].is_string());
        EXPECT_EQ(r.raw.find("root:"), std::string::npos) << "a system file leaked";
        // Still up after each one.
        auto health = get_json(http, "/healthz");
        ASSERT_EQ(health.status, 200) << "server down after: " << c.name << "\n" << server_->log();
    }
    // A Content-Length that is no number is refused by libmicrohttpd before our code sees the request:
    // 400 with its own short HTML page (it has no hook for the body of its own refusals), then closed.
    const auto invalid_length = raw_request(
        port,
        "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n"
        "Connection: close\r\n\r\n{}");
    EXPECT_EQ(invalid_length.status, 400) << invalid_length.raw.substr(0, 300);
    EXPECT_TRUE(server_->alive());
    EXPECT_EQ(storage_checksum(data), before);
    // A name search that looks like SQL finds nobody (it is a plain substring filter).
    auto listed = get_json(http, "/persons?name=%27%20OR%201%3D1%20--");
    ASSERT_EQ(listed.status, 200);
    EXPECT_TRUE(listed.body["persons"].empty());
}

// Slow-loris: connections that send half a request are cut at the read timeout, and meanwhile other
// callers are served.
TEST_F(HostileInputTest, PartialRequestsAreCutAtTheReadTimeout) {
    const int port = server_->port();
    std::vector<int> slow;
    for (int i = 0; i < 3; ++i) {
        const int fd = connect_to(port);
        ASSERT_GE(fd, 0);
        const std::string partial =
            i == 0 ? "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 100000\r\n\r\n{\"photo\": \"AAAA"
                   : "GET /persons HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        ::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
        slow.push_back(fd);
    }
    auto http = server_->client();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(get_json(http, "/healthz").status, 200);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms) << "served behind the slow connections";
    for (int fd : slow) {
        const auto begin = std::chrono::steady_clock::now();
        const std::string answer = read_all(fd);  // returns once the server closes (receive timeout 20 s)
        const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        EXPECT_LT(waited, 10.0) << "connection held open for " << waited << " s";
        if (!answer.empty()) {
            EXPECT_EQ(parse_raw(answer).status / 100, 4) << answer;
        }
        ::close(fd);
    }
    EXPECT_EQ(get_json(http, "/healthz").status, 200);
    EXPECT_TRUE(server_->alive());
}

// Deleting a person while others search with that person's photo: every search answers 200 (with or
// without the person), exactly one delete wins, and the person is gone afterwards.
TEST_F(HostileInputTest, ConcurrentDeleteAndSearchOnTheSamePerson) {
    FACEID_REQUIRE_TEST_DATA(shared);
    auto http = server_->client();
    std::string probe;
    const std::string person = register_someone(http, &probe);
    ASSERT_FALSE(person.empty());

    std::atomic<int> searches_ok{0}, searches_bad{0}, deletes_ok{0}, deletes_not_found{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            auto client = server_->client();
            for (int i = 0; i < 3; ++i) {
                auto r = post_multipart(client, "/search", {Part{"photo", probe, "probe.jpg", "image/jpeg"}});
                (r.status == 200 ? searches_ok : searches_bad)++;
            }
        });
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&] {
            auto client = server_->client();
            std::this_thread::sleep_for(100ms);
            auto r = delete_json(client, "/persons/" + person);
            (r.status == 200 ? deletes_ok : deletes_not_found)++;
            EXPECT_TRUE(r.status == 200 || r.status == 404) << r.raw;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(searches_ok.load(), 12);
    EXPECT_EQ(searches_bad.load(), 0);
    EXPECT_EQ(deletes_ok.load(), 1);
    EXPECT_EQ(deletes_not_found.load(), 1);
    EXPECT_EQ(get_json(http, "/persons/" + person).status, 404);
    auto after = post_multipart(http, "/search", {Part{"photo", probe, "probe.jpg", "image/jpeg"}});
    ASSERT_EQ(after.status, 200);
    EXPECT_TRUE(after.body["results"][0]["match"].is_null()) << after.raw;
    EXPECT_TRUE(server_->alive());
}

}  // namespace
}  // namespace faceid::testing
