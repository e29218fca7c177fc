#include "support/test_support.h"

#include <opencv2/imgcodecs.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace faceid::testing {

std::optional<std::filesystem::path> test_data_dir() {
    const char* env = std::getenv("FACEID_TEST_DATA");
    std::filesystem::path dir = env && *env ? env : FACEID_DEFAULT_TEST_DATA;
    if (std::filesystem::is_directory(dir / "lfw")) return dir;
    return std::nullopt;
}

std::filesystem::path models_dir() {
    const char* env = std::getenv("FACEID_MODELS_DIR");
    return env && *env ? env : FACEID_DEFAULT_MODELS_DIR;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto dir = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
        if (std::filesystem::create_directory(dir)) return dir;
    }
    throw std::runtime_error("cannot create a temp dir");
}

std::optional<std::string> clickhouse_test_url() {
    const char* env = std::getenv("FACEID_TEST_CLICKHOUSE_URL");
    if (!env || !*env) return std::nullopt;
    return std::string(env);
}

std::optional<S3TestServer> s3_test_server() {
    const char* env = std::getenv("FACEID_TEST_S3");
    if (!env || !*env) return std::nullopt;
    const std::string text = env;
    const auto first = text.find(','), second = text.find(',', first + 1);
    if (first == std::string::npos || second == std::string::npos)
        throw std::runtime_error("FACEID_TEST_S3 must be ENDPOINT,ACCESS_KEY,SECRET_KEY");
    S3TestServer server{text.substr(0, first), text.substr(first + 1, second - first - 1),
                        text.substr(second + 1), ""};
    if (const char* state = std::getenv("FACEID_TEST_CEPH_STATE")) server.state = state;
    return server;
}

int free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error("no free port");
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string progressive_jpeg(int extra_scans, int width, int height) {
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.at<cv::Vec3b>(y, x) = {uchar(x * 3 + y), uchar(y * 5), uchar((x ^ y) & 0xFF)};
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_PROGRESSIVE, 1, cv::IMWRITE_JPEG_QUALITY, 90});
    std::string jpeg(bytes.begin(), bytes.end());
    const auto last_scan = jpeg.rfind("\xFF\xDA");
    const auto end = jpeg.rfind("\xFF\xD9");
    if (last_scan == std::string::npos || end == std::string::npos || end < last_scan)
        throw std::runtime_error("no progressive scan to repeat");
    const std::string scan = jpeg.substr(last_scan, end - last_scan);
    std::string out = jpeg.substr(0, end);
    out.reserve(out.size() + scan.size() * size_t(extra_scans) + 2);
    for (int i = 0; i < extra_scans; ++i) out += scan;
    out += "\xFF\xD9";
    return out;
}

}  // namespace faceid::testing
