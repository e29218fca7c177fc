#pragma once
// The serve process's periodic work on its own thread: writes noted search matches to storage every
// minute (they drive the "inactive persons" retention rule), deletes the photos whose deletion was deferred
// (Gallery::sweep_deferred_blobs) and applies the retention policy every
// policy.interval_minutes, recording what it removed in the audit log.
#include "repositories/audit_log.h"
#include "services/gallery.h"
#include "services/retention_service.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace faceid::app {

class BackgroundJobs {
  public:
    BackgroundJobs(Gallery& gallery, RetentionService& retention, AuditLog& audit);
    ~BackgroundJobs();  // stops the thread, then writes the last noted matches
    BackgroundJobs(const BackgroundJobs&) = delete;
    BackgroundJobs& operator=(const BackgroundJobs&) = delete;

  private:
    void loop();
    void flush_matches();

    Gallery& gallery_;
    RetentionService& retention_;
    AuditLog& audit_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace faceid::app
