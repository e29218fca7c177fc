#pragma once
// Prometheus text-format metrics: requests and latency per route and status, plus gauges supplied by the
// caller at render time (gallery size, pipeline stage times).
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace faceid {

class Metrics {
  public:
    // route is the route pattern (e.g. "/persons/{id}"), not the raw path, to keep cardinality bounded.
    void observe(const std::string& method, const std::string& route, int status, double seconds);

    struct Gauge {
        std::string name, help, type;                         // type: gauge, counter or histogram
        std::vector<std::pair<std::string, double>> samples;  // label set ("" for none) -> value
        // Samples whose name has a suffix: a histogram's _bucket (with le), _sum and _count.
        std::vector<std::tuple<std::string, std::string, double>> suffixed = {};  // (suffix, labels, value)
    };
    std::string render(const std::vector<Gauge>& extra) const;

  private:
    static constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    struct Histogram {
        std::vector<uint64_t> buckets = std::vector<uint64_t>(std::size(kBuckets), 0);
        uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
    std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

}  // namespace faceid
