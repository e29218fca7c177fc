#include "services/retention_service.h"

#include "core/clock.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace faceid {
namespace {
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
}  // namespace

RetentionService::RetentionService(Gallery& gallery, RetentionPolicy policy, ReportSink on_report)
    : gallery_(gallery), policy_(policy), on_report_(std::move(on_report)) {}

CleanupReport RetentionService::run(bool dry_run) {
    return run(dry_run, now_ms());
}

std::vector<RemovedTemplate> RetentionService::plan_for_person(const PersonRecord& person,
                                                               const std::vector<FaceRecord>& faces,
                                                               int64_t age_cutoff_ms) const {
    // Best first; the primary and the best keep_best are protected from the age rule, the primary from
    // every rule.
    std::vector<const FaceRecord*> ranked;
    for (const auto& f : faces) ranked.push_back(&f);
    std::stable_sort(ranked.begin(), ranked.end(), [](const FaceRecord* a, const FaceRecord* b) {
        return a->quality_score > b->quality_score;
    });
    std::set<std::string> removed;
    std::vector<RemovedTemplate> plan;
    if (policy_.max_age_days > 0)
        for (size_t rank = 0; rank < ranked.size(); ++rank) {
            const FaceRecord& f = *ranked[rank];
            if (f.id == person.primary_face_id || int(rank) < policy_.keep_best) continue;
            if (f.created_at_ms < age_cutoff_ms) {
                removed.insert(f.id);
                plan.push_back({f.id, person.id, "max_age"});
            }
        }
    if (policy_.max_templates > 0) {
        int excess = int(faces.size() - removed.size()) - policy_.max_templates;
        for (auto it = ranked.rbegin(); it != ranked.rend() && excess > 0; ++it) {  // worst first
            const FaceRecord& f = **it;
            if (f.id == person.primary_face_id || removed.count(f.id)) continue;
            removed.insert(f.id);
            plan.push_back({f.id, person.id, "max_templates"});
            --excess;
        }
    }
    return plan;
}

CleanupReport RetentionService::run(bool dry_run, int64_t now) {
    std::lock_guard lock(run_mutex_);
    CleanupReport report;
    report.dry_run = dry_run;
    report.started_at_ms = now;
    report.policy = policy_;
    const double start = monotonic_seconds();
    auto& persons = gallery_.persons();
    auto& retention = gallery_.retention();

    if (policy_.max_templates > 0 || policy_.max_age_days > 0) {
        const int64_t age_cutoff = policy_.max_age_days > 0 ? now - policy_.max_age_days * kDayMs : 0;
        for (const auto& person_id : retention.persons_for_retention(age_cutoff, policy_.max_templates)) {
            const auto person = persons.get_person(person_id);
            if (!person) continue;  // deleted meanwhile
            auto plan = plan_for_person(*person, persons.faces_of(person_id), age_cutoff);
            if (plan.empty()) continue;
            if (dry_run) {
                report.templates.insert(report.templates.end(), plan.begin(), plan.end());
                continue;
            }
            std::vector<std::string> ids;
            for (const auto& t : plan) ids.push_back(t.face_id);
            // Report exactly what storage removed: a face may have become primary or gone meanwhile.
            const auto removal = gallery_.remove_templates(person_id, ids);
            report.bytes_reclaimed += removal.bytes_reclaimed;
            for (const auto& t : plan)
                if (std::any_of(removal.faces.begin(), removal.faces.end(),
                                [&](const FaceRecord& f) { return f.id == t.face_id; }))
                    report.templates.push_back(t);
        }
    }

    if (policy_.inactive_days > 0) {
        gallery_.flush_matches();  // matches noted in memory count as activity
        for (const auto& person_id : retention.inactive_persons(now - policy_.inactive_days * kDayMs)) {
            if (dry_run) {
                report.person_templates_removed += int64_t(persons.faces_of(person_id).size());
                report.persons.push_back(person_id);
                continue;
            }
            const auto removal = gallery_.remove_person(person_id);
            if (removal.faces.empty()) continue;
            report.persons.push_back(person_id);
            report.person_templates_removed += int64_t(removal.faces.size());
            report.bytes_reclaimed += removal.bytes_reclaimed;
        }
    }
    report.seconds = monotonic_seconds() - start;
    if (on_report_ && (!report.templates.empty() || !report.persons.empty())) on_report_(report);
    return report;
}

}  // namespace faceid
