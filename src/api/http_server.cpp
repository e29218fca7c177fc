#include "api/http_server.h"

#include "core/clock.h"
#include "core/error.h"

#include <spdlog/spdlog.h>

namespace faceid {

HttpServer::HttpServer(ApiServices services, ApiConfig config)
    : services_(services), config_(std::move(config)) {
    const int threads = std::max(2, config_.http_threads);
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
    // The body limit leaves room for multipart framing and the other fields around a maximal photo.
    server_.set_payload_max_length(config_.max_upload_bytes + 64 * 1024);
    server_.set_read_timeout(config_.read_timeout_seconds, 0);
    server_.set_write_timeout(config_.write_timeout_seconds, 0);
    server_.set_keep_alive_max_count(1000);

    // Errors httplib raises itself (unknown route, body too large, bad request line) get our JSON form.
    server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return;
        ErrorCode code = ErrorCode::kBadRequest;
        if (res.status == 404) code = ErrorCode::kNotFound;
        if (res.status == 405) code = ErrorCode::kBadRequest;
        if (res.status == 413) code = ErrorCode::kPayloadTooLarge;
        if (res.status >= 500) code = ErrorCode::kInternal;
        const auto& info = error_info(code);
        res.set_content(
            error_json(std::string(info.name), std::string(info.message), nlohmann::json::object()).dump(),
            "application/json");
    });

    add_face_routes();
    add_person_routes();
    add_system_routes();
    add_admin_routes();
}

HttpServer::~HttpServer() {
    stop();
}

bool HttpServer::bind() {
    if (config_.port == 0) {
        port_ = server_.bind_to_any_port(config_.host);
        return port_ > 0;
    }
    if (!server_.bind_to_port(config_.host, config_.port)) return false;
    port_ = config_.port;
    return true;
}

void HttpServer::listen() {
    server_.listen_after_bind();
}

void HttpServer::stop() {
    if (server_.is_running()) server_.stop();
}

void HttpServer::send_json(httplib::Response& res, int status, const nlohmann::json& body) const {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void HttpServer::send_blob(httplib::Response& res, const std::string& key) const {
    auto bytes = services_.gallery.photos().get(key);
    if (!bytes) throw Error(ErrorCode::kNotFound, "The photo file is missing.");
    std::string type = "application/octet-stream";
    if (key.ends_with(".jpg")) type = "image/jpeg";
    if (key.ends_with(".png")) type = "image/png";
    if (key.ends_with(".webp")) type = "image/webp";
    if (key.ends_with(".bmp")) type = "image/bmp";
    res.set_header("Cache-Control", "private, max-age=86400");  // content-addressed: never changes
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(std::move(*bytes), type);
}

FieldView HttpServer::view_for(const httplib::Request&) const {
    return FieldView{};
}

void HttpServer::add(Method method, const std::string& pattern, const std::string& route, Handler handler) {
    auto wrapped = [this, route, handler = std::move(handler)](const httplib::Request& req,
                                                               httplib::Response& res) {
        const double start = monotonic_seconds();
        try {
            handler(req, res);
        } catch (const Error& e) {
            const auto& info = e.info();
            send_json(res, info.http_status, error_json(std::string(info.name), e.what(), e.details()));
            if (info.http_status >= 500) spdlog::error("{} {}: {}", req.method, route, e.what());
        } catch (const std::exception& e) {
            // Internals stay in the log; the caller gets a generic message.
            spdlog::error("{} {}: unexpected error: {}", req.method, route, e.what());
            const auto& info = error_info(ErrorCode::kInternal);
            send_json(
                res, 500,
                error_json(std::string(info.name), std::string(info.message), nlohmann::json::object()));
        }
        const double seconds = monotonic_seconds() - start;
        metrics_.observe(req.method, route, res.status, seconds);
        spdlog::info("{} {} {} {:.1f} ms", req.method, route, res.status, seconds * 1000);
    };
    switch (method) {
        case Method::kGet:
            server_.Get(pattern, wrapped);
            break;
        case Method::kPost:
            server_.Post(pattern, wrapped);
            break;
        case Method::kPatch:
            server_.Patch(pattern, wrapped);
            break;
        case Method::kDelete:
            server_.Delete(pattern, wrapped);
            break;
    }
}

}  // namespace faceid
