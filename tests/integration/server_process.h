#pragma once
// Starts the real `faceid serve` binary on a free loopback port with its own data folder, and talks HTTP
// to it. Used by the integration tests; the process is killed when the object goes away. Servers run with
// --no-auth unless a test asks for API keys (auth = true); HTTPS is detected from the start-up line.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace faceid::testing {

class ServerProcess {
  public:
    // env: variables set for the server on top of the test's own environment (e.g. FACEID_STORAGE).
    ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {}, bool auth = false,
                  std::map<std::string, std::string> env = {});
    ~ServerProcess();

    // Starts the server and waits until /readyz answers 200. Throws on failure.
    void start();
    // SIGTERM and wait (graceful), or SIGKILL (crash).
    int stop();
    void kill_hard();
    bool alive();

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::filesystem::path& data_dir() const { return data_dir_; }
    // An HTTP or HTTPS client for the server (certificate checks off for the tests' self-signed one).
    httplib::Client client() const;
    std::string log() const;
    // The first admin key the server printed on a fresh start with auth (empty if none).
    std::string bootstrap_key() const;

  private:
    std::filesystem::path data_dir_;
    std::vector<std::string> extra_args_;
    bool auth_ = false;
    std::map<std::string, std::string> env_;
    bool https_ = false;
    pid_t pid_ = -1;
    int port_ = 0;
    std::filesystem::path log_file_;
};

// The faceid binary under test: FACEID_BINARY, or $FACEID_TEST_BINARY (e.g. an older build, to check that a
// new test fails on the code before its fix).
std::string faceid_binary();

// Runs the faceid binary with these arguments (stdout and stderr together) and waits for it.
struct CommandResult {
    int exit_code = -1;
    std::string output;
};
// With time_limit_seconds > 0 the command is killed after that long (so a command that should refuse to
// start cannot hang a test when it starts after all).
CommandResult run_faceid(const std::vector<std::string>& args, int time_limit_seconds = 0);

struct Part {
    std::string name, content, filename, content_type;
};
// A multipart/form-data POST; returns status and parsed JSON body (null if not JSON).
struct JsonResponse {
    int status = 0;
    nlohmann::json body;
    std::string raw;
};
// Status, raw body and parsed JSON (null if not JSON) of an httplib answer (status 0: no answer).
JsonResponse json_response(const httplib::Result& res);
JsonResponse post_multipart(httplib::Client& client, const std::string& path, const std::vector<Part>& parts);
JsonResponse get_json(httplib::Client& client, const std::string& path);
JsonResponse delete_json(httplib::Client& client, const std::string& path);
Part photo_part(const std::filesystem::path& file, const std::string& field = "photo");

// The .jpg files of a folder, sorted by name.
std::vector<std::filesystem::path> photos_of(const std::filesystem::path& dir);
// A new API key made with `faceid keys create` in this data folder (the last line it prints).
std::string create_key(const std::filesystem::path& data, const std::string& role, const std::string& name);
Part text_part(const std::string& name, const std::string& value);

}  // namespace faceid::testing
