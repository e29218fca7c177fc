// Health, readiness, metrics, the OpenAPI document and Swagger UI. The static page and Swagger UI's
// files are mounted by the transport adapter (http_server.cpp).
#include "api/access_policy.h"
#include "api/openapi_spec.h"
#include "core/error.h"

#include <spdlog/spdlog.h>

#include <array>
#include <sstream>

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

void healthz(RouteCall&, const HttpRequest&, HttpResponse& res) {
    send_json(res, 200, {{"status", "ok"}});
}

void readyz(RouteCall& call, const HttpRequest& req, HttpResponse& res) {
    // Ready once the models are loaded (the pool exists) and storage answers a query.
    int64_t persons = 0;
    try {
        persons = call.services.gallery.persons().count_persons();
    } catch (const Error& e) {
        spdlog::error("GET /readyz: storage does not answer: {}", e.what());
        send_json(res, 503, {{"status", "not_ready"}});
        return;
    }
    // The storage location and the gallery's size are for key holders (and /metrics) only. A wrong key
    // counts against the client address like a 401 elsewhere, and an address out of tokens gets no key
    // check here: /readyz must not become a way around the limit to test keys (see presents_valid_key).
    const bool key_holder = !call.config.auth_enabled || call.presents_valid_key(req);
    if (!key_holder) {
        send_json(res, 200, {{"status", "ready"}});
        return;
    }
    send_json(res, 200,
              {{"status", "ready"},
               {"models", "loaded"},
               {"pipelines", call.services.pipelines.size()},
               {"storage", call.services.storage_description},
               {"photos", call.services.gallery.photos().description()},
               {"persons", persons},
               {"faces", call.services.gallery.size()},
               {"index", call.services.gallery.index().name()}});
}

// Requests to a remote photo store (S3) by operation: calls, failures (after retries), retries, latency.
void add_photo_store_metrics(const std::vector<StoreOperationStats>& stats,
                             std::vector<Metrics::Gauge>& out) {
    if (stats.empty()) return;
    Metrics::Gauge requests{
        "faceid_s3_requests_total", "S3 calls by operation (retries included in one call).", "counter", {}};
    Metrics::Gauge errors{
        "faceid_s3_errors_total",
        "S3 calls that failed after their retries (unreachable, 5xx, or an unexpected answer).",
        "counter",
        {}};
    Metrics::Gauge retries{
        "faceid_s3_retries_total", "S3 attempts repeated after a timeout, reset or 5xx.", "counter", {}};
    Metrics::Gauge latency{"faceid_s3_request_duration_seconds",
                           "S3 call latency by operation, retries included.",
                           "histogram",
                           {}};
    for (const auto& s : stats) {
        const std::string labels = "operation=\"" + s.operation + "\"";
        requests.samples.emplace_back(labels, double(s.requests));
        errors.samples.emplace_back(labels, double(s.errors));
        retries.samples.emplace_back(labels, double(s.retries));
        for (size_t i = 0; i < s.buckets.size(); ++i) {
            std::ostringstream le;
            le << StoreOperationStats::kBuckets[i];
            latency.suffixed.emplace_back("_bucket", labels + ",le=\"" + le.str() + "\"",
                                          double(s.buckets[i]));
        }
        latency.suffixed.emplace_back("_bucket", labels + ",le=\"+Inf\"", double(s.requests));
        latency.suffixed.emplace_back("_sum", labels, s.seconds);
        latency.suffixed.emplace_back("_count", labels, double(s.requests));
    }
    out.push_back(std::move(requests));
    out.push_back(std::move(errors));
    out.push_back(std::move(retries));
    out.push_back(std::move(latency));
}

void metrics(RouteCall& call, const HttpRequest&, HttpResponse& res) {
    const auto [stages, leases] = call.services.pipelines.totals();
    std::vector<Metrics::Gauge> extra = {
        {"faceid_gallery_faces",
         "Face templates in the search index.",
         "gauge",
         {{"", double(call.services.gallery.size())}}},
        {"faceid_gallery_persons",
         "Registered persons.",
         "gauge",
         {{"", double(call.services.gallery.persons().count_persons())}}},
        {"faceid_index_memory_bytes",
         "Memory used by the vector index.",
         "gauge",
         {{"", double(call.services.gallery.index().memory_bytes())}}},
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
    add_photo_store_metrics(call.services.gallery.photos().operation_stats(), extra);
    res.set_content(call.metrics_text(extra), "text/plain; version=0.0.4");
}

void openapi(RouteCall&, const HttpRequest&, HttpResponse& res) {
    res.set_content(std::string(kOpenApiSpec), "application/json");
}
void docs(RouteCall&, const HttpRequest&, HttpResponse& res) {
    res.set_content(kSwaggerPage, "text/html; charset=utf-8");
}
void swagger_init(RouteCall&, const HttpRequest&, HttpResponse& res) {
    res.set_content(kSwaggerInit, "application/javascript");
}

// Public: probes, documentation (the page's static files are public too, served before routing). The
// metrics are for admins and auditors.
constexpr std::array kRoutes = {
    RouteRule{"GET", "/healthz", true, kNoRole, "", healthz},
    RouteRule{"GET", "/readyz", true, kNoRole, "", readyz},
    RouteRule{"GET", "/metrics", false, kAdminRole | kAuditorRole, "", metrics},
    RouteRule{"GET", "/openapi.json", true, kNoRole, "", openapi},
    RouteRule{"GET", "/docs", true, kNoRole, "", docs},
    RouteRule{"GET", "/docs/swagger-init.js", true, kNoRole, "", swagger_init},
};

}  // namespace

std::span<const RouteRule> system_routes() {
    return kRoutes;
}

}  // namespace faceid
