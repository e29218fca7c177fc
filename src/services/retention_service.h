#pragma once
// The retention policy for old templates and inactive persons, applied on demand (faceid cleanup,
// POST /admin/cleanup) or by a background job. A person's primary template is never removed by policy;
// removing a whole inactive person is a separate, opt-in rule.
#include "services/gallery.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace faceid {

struct RetentionPolicy {
    int max_templates = 0;     // at most this many templates per person (0: no limit)
    int max_age_days = 0;      // templates older than this are removed (0: no age limit) ...
    int keep_best = 1;         // ... except the person's best keep_best by quality
    int inactive_days = 0;     // remove persons neither matched nor updated for this long (0: never)
    int interval_minutes = 0;  // background run every this many minutes (0: no background job)

    bool any_rule() const { return max_templates > 0 || max_age_days > 0 || inactive_days > 0; }
};

struct RemovedTemplate {
    std::string face_id;
    std::string person_id;
    std::string reason;  // "max_age" or "max_templates"
};

struct CleanupReport {
    bool dry_run = false;
    int64_t started_at_ms = 0;
    double seconds = 0;
    RetentionPolicy policy;
    std::vector<RemovedTemplate> templates;  // removed (or, in a dry run, that would be)
    std::vector<std::string> persons;        // inactive persons removed with all their templates
    int64_t person_templates_removed = 0;    // templates that went with those persons
    uint64_t bytes_reclaimed = 0;            // photo and crop files deleted (0 in a dry run)
};

class RetentionService {
  public:
    // on_report is called after every run that removed something (or would have, in a dry run); this is
    // where the audit log hooks in.
    using ReportSink = std::function<void(const CleanupReport&)>;
    RetentionService(Gallery& gallery, RetentionPolicy policy, ReportSink on_report = {});

    // Applies the policy as of now_ms. Thread-safe; runs are serialised.
    CleanupReport run(bool dry_run, int64_t now_ms);
    CleanupReport run(bool dry_run);
    const RetentionPolicy& policy() const { return policy_; }

  private:
    std::vector<RemovedTemplate> plan_for_person(const PersonRecord& person,
                                                 const std::vector<FaceRecord>& faces,
                                                 int64_t age_cutoff_ms) const;

    Gallery& gallery_;
    RetentionPolicy policy_;
    ReportSink on_report_;
    std::mutex run_mutex_;
};

}  // namespace faceid
