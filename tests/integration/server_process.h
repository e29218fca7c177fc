#pragma once
// Starts the real `faceid serve` binary on a free loopback port with its own data folder, and talks HTTP
// to it. Used by the integration tests; the process is killed when the object goes away.
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
  ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {},
                std::map<std::string, std::string> env = {});
  ~ServerProcess();

  // Starts the server and waits until /readyz answers 200. Throws on failure.
  void start();
  // SIGTERM and wait (graceful), or SIGKILL (crash).
  int stop();
  void kill_hard();
  bool alive();

  int port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  httplib::Client client() const;
  std::string log() const;

private:
    std::filesystem::path data_dir_;
    std::vector<std::string> extra_args_;
    std::map<std::string, std::string> env_;
    pid_t pid_ = -1;
    int port_ = 0;
    std::filesystem::path log_file_;
};

struct Part {
    std::string name, content, filename, content_type;
};
// A multipart/form-data POST; returns status and parsed JSON body (null if not JSON).
struct JsonResponse {
    int status = 0;
    nlohmann::json body;
    std::string raw;
};
JsonResponse post_multipart(httplib::Client& client, const std::string& path, const std::vector<Part>& parts);
JsonResponse get_json(httplib::Client& client, const std::string& path);
JsonResponse delete_json(httplib::Client& client, const std::string& path);
Part photo_part(const std::filesystem::path& file, const std::string& field = "photo");
Part text_part(const std::string& name, const std::string& value);

}  // namespace faceid::testing
