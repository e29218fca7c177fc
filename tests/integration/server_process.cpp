#include "integration/server_process.h"

#include "support/test_support.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace faceid::testing {
namespace {
// A server may answer early and close while a test client is still sending (413 from the headers): the
// client's write then fails with EPIPE, which must not kill the whole test binary with SIGPIPE.
const bool kSigpipeIgnored = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
}();
}  // namespace

std::string faceid_binary() {
    const char* other = std::getenv("FACEID_TEST_BINARY");
    return other && *other ? other : FACEID_BINARY;
}

ServerProcess::ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args, bool auth,
                             std::map<std::string, std::string> env)
    : data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      auth_(auth),
      env_(std::move(env)),
      log_file_(data_dir_.string() + ".log") {}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) kill_hard();
}

void ServerProcess::start() {
    std::vector<std::string> args = {faceid_binary(), "serve",
                                     "--host",        "127.0.0.1",
                                     "--port",        "0",
                                     "--data",        data_dir_.string(),
                                     "--models",      models_dir().string()};
    if (!auth_) args.push_back("--no-auth");
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        for (const auto& [name, value] : env_) setenv(name.c_str(), value.c_str(), 1);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    // The server prints its URL once it listens; then wait for readiness.
    const std::regex url(R"(listening on (https?)://127\.0\.0\.1:(\d+)/)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch m;
        const std::string text = log();
        if (std::regex_search(text, m, url)) {
            https_ = m[1] == "https";
            port_ = std::stoi(m[2]);
            auto c = client();
            if (auto res = c.Get("/readyz"); res && res->status == 200) return;
        }
        if (!alive()) throw std::runtime_error("faceid serve exited during start-up:\n" + log());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("faceid serve did not become ready:\n" + log());
}

bool ServerProcess::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

int ServerProcess::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

httplib::Client ServerProcess::client() const {
    httplib::Client c(std::string(https_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_));
    c.enable_server_certificate_verification(false);
    c.set_read_timeout(60, 0);
    c.set_connection_timeout(5, 0);
    return c;
}

std::string ServerProcess::log() const {
    std::ifstream in(log_file_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

CommandResult run_faceid(const std::vector<std::string>& args, int time_limit_seconds) {
    // With a time limit, `timeout -s KILL` ends the command when it runs out (exit code 137).
    std::string command = time_limit_seconds > 0
                              ? "timeout -s KILL " + std::to_string(time_limit_seconds) + " "
                              : std::string();
    command += faceid_binary();
    for (const auto& a : args) {
        std::string quoted = "'";
        for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        command += " " + quoted + "'";
    }
    command += " 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return result;
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

std::string ServerProcess::bootstrap_key() const {
    const std::regex key(R"(\n(fidb_k[0-9a-f]{16}_[0-9a-f]{64})\n)");
    std::smatch m;
    const std::string text = log();
    return std::regex_search(text, m, key) ? std::string(m[1]) : std::string();
}

JsonResponse json_response(const httplib::Result& res) {
    JsonResponse out;
    if (!res) return out;
    out.status = res->status;
    out.raw = res->body;
    out.body = nlohmann::json::parse(res->body, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
    return out;
}

JsonResponse post_multipart(httplib::Client& client, const std::string& path,
                            const std::vector<Part>& parts) {
    httplib::MultipartFormDataItems items;
    for (const auto& p : parts) items.push_back({p.name, p.content, p.filename, p.content_type});
    return json_response(client.Post(path.c_str(), items));
}

JsonResponse get_json(httplib::Client& client, const std::string& path) {
    return json_response(client.Get(path.c_str()));
}
JsonResponse delete_json(httplib::Client& client, const std::string& path) {
    return json_response(client.Delete(path.c_str()));
}

Part photo_part(const std::filesystem::path& file, const std::string& field) {
    return {field, read_file(file), file.filename().string(), "image/jpeg"};
}
Part text_part(const std::string& name, const std::string& value) {
    return {name, value, "", ""};
}

std::vector<std::filesystem::path> photos_of(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> photos;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".jpg") photos.push_back(e.path());
    std::sort(photos.begin(), photos.end());
    return photos;
}

std::string create_key(const std::filesystem::path& data, const std::string& role, const std::string& name) {
    auto result = run_faceid({"keys", "create", "--role", role, "--name", name, "--data", data.string()});
    EXPECT_EQ(result.exit_code, 0) << result.output;
    std::string last;
    std::istringstream lines(result.output);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) last = line;
    EXPECT_TRUE(last.starts_with("fidb_k")) << result.output;
    return last;
}

}  // namespace faceid::testing
