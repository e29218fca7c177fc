#include "app/local_gallery.h"

#include "repositories/index/index_factory.h"

#include <spdlog/spdlog.h>

namespace faceid::app {

namespace {
std::filesystem::path prepared(const std::filesystem::path& data) {
    std::filesystem::create_directories(data);
    return data;
}
}  // namespace

LocalGallery::LocalGallery(const std::filesystem::path& data, const std::string& index_kind)
    : database_(std::make_shared<SqliteDatabase>(prepared(data) / "faceid.db")),
      persons_(database_),
      photos_(data / "photos"),
      index_([&] {
          IndexConfig config;
          config.kind = index_kind;
          return make_vector_index(config);
      }()),
      gallery_(persons_, photos_, *index_),
      description_("sqlite:" + (data / "faceid.db").string()),
      snapshot_(data / "index.snapshot") {
    const auto loaded = gallery_.load_index(snapshot_);
    spdlog::info("index {}: {} faces {} in {:.2f} s", index_->name(), loaded.faces,
                 loaded.from_snapshot ? "loaded from the saved index" : "loaded from storage",
                 loaded.seconds);
}

void log_cleanup_report(const CleanupReport& report) {
    // AUDIT HOOK: when the audit log (branch security) is on main, record this report there too
    // (action "retention.cleanup", actor "system" or the API key, details = cleanup_report_json(report)).
    spdlog::info("retention{}: {} templates and {} persons ({} templates) removed, {} bytes reclaimed: {}",
                 report.dry_run ? " (dry run)" : "", report.templates.size(), report.persons.size(),
                 report.person_templates_removed, report.bytes_reclaimed, cleanup_report_json(report).dump());
}

}  // namespace faceid::app
