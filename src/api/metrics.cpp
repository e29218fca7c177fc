#include "api/metrics.h"

#include <sstream>

namespace faceid {

void Metrics::observe(const std::string& method, const std::string& route, int status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{method, route, status}];
    auto& h = latency_[{method, route}];
    ++h.count;
    h.sum += seconds;
    for (size_t i = 0; i < std::size(kBuckets); ++i)
        if (seconds <= kBuckets[i]) ++h.buckets[i];
}

std::string Metrics::render(const std::vector<Gauge>& extra) const {
    std::ostringstream out;
    {
        std::lock_guard lock(mutex_);
        out << "# HELP faceid_http_requests_total HTTP requests by method, route and status.\n"
            << "# TYPE faceid_http_requests_total counter\n";
        for (const auto& [key, count] : requests_) {
            const auto& [method, route, status] = key;
            out << "faceid_http_requests_total{method=\"" << method << "\",route=\"" << route
                << "\",status=\"" << status << "\"} " << count << "\n";
        }
        out << "# HELP faceid_http_request_duration_seconds HTTP request latency by method and route.\n"
            << "# TYPE faceid_http_request_duration_seconds histogram\n";
        for (const auto& [key, h] : latency_) {
            const std::string labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
            for (size_t i = 0; i < std::size(kBuckets); ++i)
                out << "faceid_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i]
                    << "\"} " << h.buckets[i] << "\n";
            out << "faceid_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count
                << "\n"
                << "faceid_http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n"
                << "faceid_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
        }
    }
    for (const auto& gauge : extra) {
        out << "# HELP " << gauge.name << " " << gauge.help << "\n# TYPE " << gauge.name << " " << gauge.type
            << "\n";
        for (const auto& [labels, value] : gauge.samples)
            out << gauge.name << (labels.empty() ? "" : "{" + labels + "}") << " " << value << "\n";
        for (const auto& [suffix, labels, value] : gauge.suffixed)
            out << gauge.name << suffix << (labels.empty() ? "" : "{" + labels + "}") << " " << value << "\n";
    }
    return out.str();
}

}  // namespace faceid
