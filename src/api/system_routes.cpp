// Health, readiness, metrics, the OpenAPI document, Swagger UI and the static page.
#include "api/http_server.h"
#include "api/openapi_spec.h"
#include "core/error.h"

#include <spdlog/spdlog.h>

namespace faceid {
namespace {

constexpr const char* kSwaggerPage = R"html(<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Face ID Boom API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-init.js"></script>
</body>
</html>
)html";

constexpr const char* kSwaggerInit =
    "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true});\n";

}  // namespace

void HttpServer::add_system_routes() {
    add(Method::kGet, "/healthz", "/healthz", [this](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, {{"status", "ok"}});
    });

    add(Method::kGet, "/readyz", "/readyz", [this](const httplib::Request& req, httplib::Response& res) {
        // Ready once the models are loaded (the pool exists) and storage answers a query.
        int64_t persons = 0;
        try {
            persons = services_.gallery.persons().count_persons();
        } catch (const Error& e) {
            spdlog::error("GET /readyz: storage does not answer: {}", e.what());
            send_json(res, 503, {{"status", "not_ready"}});
            return;
        }
        // The storage location and the gallery's size are for key holders (and /metrics) only.
        // A wrong key counts against the client address like a 401 elsewhere, and an address out of
        // tokens gets no key check here: /readyz must not become a way around the limit to test keys.
        bool key_holder = !config_.auth_enabled;
        const std::string address = "addr:" + req.remote_addr;
        if (!key_holder && is_key_presented(req) && !auth_failures_.exhausted(address)) {
            try {
                authenticate(req);
                key_holder = true;
            } catch (const Error&) {
                auth_failures_.acquire(address);
            }
        }
        if (!key_holder) {
            send_json(res, 200, {{"status", "ready"}});
            return;
        }
        send_json(res, 200,
                  {{"status", "ready"},
                   {"models", "loaded"},
                   {"pipelines", services_.pipelines.size()},
                   {"storage", services_.storage_description},
                   {"persons", persons},
                   {"faces", services_.gallery.size()},
                   {"index", services_.gallery.index().name()}});
    });

    add(Method::kGet, "/metrics", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
        const auto [stages, leases] = services_.pipelines.totals();
        std::vector<Metrics::Gauge> extra = {
            {"faceid_gallery_faces",
             "Face templates in the search index.",
             "gauge",
             {{"", double(services_.gallery.size())}}},
            {"faceid_gallery_persons",
             "Registered persons.",
             "gauge",
             {{"", double(services_.gallery.persons().count_persons())}}},
            {"faceid_index_memory_bytes",
             "Memory used by the vector index.",
             "gauge",
             {{"", double(services_.gallery.index().memory_bytes())}}},
            {"faceid_pipeline_stage_seconds_total",
             "Time spent in each pipeline stage.",
             "counter",
             {{"stage=\"decode\"", stages.decode / 1000},
              {"stage=\"detect\"", stages.detect / 1000},
              {"stage=\"landmarks\"", stages.landmarks / 1000},
              {"stage=\"align\"", stages.align / 1000},
              {"stage=\"quality\"", stages.quality / 1000},
              {"stage=\"embed\"", stages.embed / 1000}}},
            {"faceid_pipeline_runs_total",
             "Requests that used the face pipeline.",
             "counter",
             {{"", double(leases)}}},
        };
        res.set_content(metrics_.render(extra), "text/plain; version=0.0.4");
    });

    add(Method::kGet, "/openapi.json", "/openapi.json", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(std::string(kOpenApiSpec), "application/json");
    });
    add(Method::kGet, "/docs", "/docs", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kSwaggerPage, "text/html; charset=utf-8");
    });
    add(Method::kGet, "/docs/swagger-init.js", "/docs/swagger-init.js",
        [](const httplib::Request&, httplib::Response& res) {
            res.set_content(kSwaggerInit, "application/javascript");
        });

    if (!config_.swagger_dir.empty() &&
        !server_->set_mount_point("/docs/assets", config_.swagger_dir.string()))
        spdlog::warn("Swagger UI files not found in {}: /docs will not render", config_.swagger_dir.string());
    if (!config_.web_dir.empty() && !server_->set_mount_point("/", config_.web_dir.string()))
        spdlog::warn("web page files not found in {}", config_.web_dir.string());
}

}  // namespace faceid
