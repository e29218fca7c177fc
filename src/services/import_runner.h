#pragma once
// Runs a bulk import: reads the photos, hands them in batches to a RegistrationSink (the local services,
// or a running server over HTTP) from several threads, and collects what happened to each photo.
// Re-runs are cheap and add nothing: every registration asks to skip photos already stored for the
// same person (RegistrationRequest::skip_known_photo).
#include "services/import_plan.h"
#include "services/registration_service.h"

#include <functional>
#include <string>
#include <vector>

namespace faceid {

struct ImportOutcome {
    enum class Kind { kCreated, kAdded, kSkipped, kRejected };
    Kind kind = Kind::kRejected;
    std::string person_id, face_id;    // when stored or skipped
    std::string code, message;         // when rejected: the error code and its message
    std::vector<std::string> reasons;  // quality gate reasons, if any
};

// Where registrations go. register_batch returns one outcome per request, in order.
class RegistrationSink {
  public:
    virtual ~RegistrationSink() = default;
    virtual std::vector<ImportOutcome> register_batch(const std::vector<RegistrationRequest>& requests) = 0;
};

// The local services: each batch runs on the calling thread.
class LocalRegistrationSink : public RegistrationSink {
  public:
    explicit LocalRegistrationSink(RegistrationService& registration) : registration_(registration) {}
    std::vector<ImportOutcome> register_batch(const std::vector<RegistrationRequest>& requests) override;

  private:
    RegistrationService& registration_;
};

ImportOutcome outcome_of(const RegistrationResult& result);
ImportOutcome outcome_of(const Error& error);

struct ImportOptions {
    int threads = 1;                       // batches in flight at once
    size_t batch_size = 16;                // photos per batch (at most 64 for the HTTP API)
    size_t batch_bytes = 8 * 1024 * 1024;  // and at most about this many bytes of photos
    bool allow_duplicates = false;
};

struct ImportProgress {
    size_t done = 0, total = 0;
    size_t created = 0, added = 0, skipped = 0, rejected = 0;
    double seconds = 0;
};

struct RejectedPhoto {
    ImportItem item;
    ImportOutcome outcome;
};

struct ImportSummary {
    ImportProgress counts;
    std::vector<RejectedPhoto> rejected;  // in input order
};

// Calls on_progress (from worker threads, serialised) after every batch.
ImportSummary run_import(const std::vector<ImportItem>& items, RegistrationSink& sink,
                         const ImportOptions& options,
                         const std::function<void(const ImportProgress&)>& on_progress = {});

// The rejected photos as CSV: path,name,external_id,code,reasons,message (reasons joined by ';').
std::string rejected_csv(const std::vector<RejectedPhoto>& rejected);

}  // namespace faceid
