#pragma once
// The HTTP API on cpp-httplib: routes, JSON errors, metrics and static files. Thin: parse -> call a
// service -> render.
#include "api/metrics.h"
#include "api/resource_json.h"
#include "services/registration_service.h"
#include "services/retention_service.h"
#include "services/search_service.h"

#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace faceid {

struct ApiConfig {
    std::string host = "127.0.0.1";
    int port = 8000;
    size_t max_upload_bytes = 10 * 1024 * 1024;
    int http_threads = 8;
    int read_timeout_seconds = 15;  // also bounds slow-loris bodies
    int write_timeout_seconds = 15;
    int max_batch = 64;
    std::filesystem::path web_dir;      // the page (index.html, app.js, ...)
    std::filesystem::path swagger_dir;  // node_modules/swagger-ui-dist
};

struct ApiServices {
    Gallery& gallery;
    RegistrationService& registration;
    SearchService& search;
    PipelinePool& pipelines;
    std::string storage_description;
    RetentionService& retention;
    double duplicate_threshold = 0.6;  // default of GET /admin/duplicates
};

class HttpServer {
  public:
    HttpServer(ApiServices services, ApiConfig config);
    ~HttpServer();

    // Binds the listening socket; returns false if the address is taken. Port 0 picks a free port.
    bool bind();
    int port() const { return port_; }
    // Serves until stop(); requests in flight are finished before it returns.
    void listen();
    void stop();
    bool running() const { return server_.is_running(); }

  private:
    using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
    enum class Method { kGet, kPost, kPatch, kDelete };
    // Registers a route; `route` is the documented pattern used in metrics and logs.
    void add(Method method, const std::string& pattern, const std::string& route, Handler handler);
    void add_face_routes();
    void add_person_routes();
    void add_system_routes();
    void add_admin_routes();
    void send_json(httplib::Response& res, int status, const nlohmann::json& body) const;
    void send_blob(httplib::Response& res, const std::string& key) const;
    FieldView view_for(const httplib::Request& req) const;

    ApiServices services_;
    ApiConfig config_;
    httplib::Server server_;
    Metrics metrics_;
    int port_ = 0;
};

}  // namespace faceid
