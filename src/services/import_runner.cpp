#include "services/import_runner.h"

#include "core/clock.h"

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace faceid {
namespace {

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string csv_field(const std::string& value) {
    if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
    std::string out = "\"";
    for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// Consecutive items of the same person stay in one batch where possible, so that the person's first photo
// creates it and the others are added to it in order by the same worker.
std::vector<std::vector<size_t>> make_batches(const std::vector<ImportItem>& items,
                                              const ImportOptions& options) {
    std::vector<std::vector<size_t>> batches;
    std::vector<size_t> current;
    size_t bytes = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(items[i].path, ec);
        const size_t item_bytes = ec ? 0 : size_t(size);
        if (!current.empty() &&
            (current.size() >= options.batch_size || bytes + item_bytes > options.batch_bytes)) {
            batches.push_back(std::move(current));
            current.clear();
            bytes = 0;
        }
        current.push_back(i);
        bytes += item_bytes;
    }
    if (!current.empty()) batches.push_back(std::move(current));
    return batches;
}

}  // namespace

ImportOutcome outcome_of(const RegistrationResult& result) {
    ImportOutcome outcome;
    outcome.kind = result.skipped   ? ImportOutcome::Kind::kSkipped
                   : result.created ? ImportOutcome::Kind::kCreated
                                    : ImportOutcome::Kind::kAdded;
    outcome.person_id = result.person.id;
    outcome.face_id = result.face.id;
    return outcome;
}

ImportOutcome outcome_of(const Error& error) {
    ImportOutcome outcome;
    outcome.kind = ImportOutcome::Kind::kRejected;
    outcome.code = std::string(error.info().name);
    outcome.message = error.what();
    if (error.details().contains("reasons") && error.details()["reasons"].is_array())
        for (const auto& r : error.details()["reasons"])
            if (r.is_string()) outcome.reasons.push_back(r.get<std::string>());
    return outcome;
}

std::vector<ImportOutcome> LocalRegistrationSink::register_batch(
    const std::vector<RegistrationRequest>& requests) {
    std::vector<ImportOutcome> outcomes;
    for (const auto& entry : registration_.register_batch(requests, 1))
        outcomes.push_back(entry.result ? outcome_of(*entry.result) : outcome_of(*entry.error));
    return outcomes;
}

ImportSummary run_import(const std::vector<ImportItem>& items, RegistrationSink& sink,
                         const ImportOptions& options,
                         const std::function<void(const ImportProgress&)>& on_progress) {
    const auto batches = make_batches(items, options);
    std::vector<ImportOutcome> outcomes(items.size());
    ImportSummary summary;
    summary.counts.total = items.size();
    std::mutex mutex;
    std::atomic<size_t> next{0};
    const double start = monotonic_seconds();

    auto worker = [&] {
        for (size_t b = next++; b < batches.size(); b = next++) {
            std::vector<RegistrationRequest> requests;
            std::vector<size_t> sent;  // item index of each request
            for (size_t i : batches[b]) {
                const auto& item = items[i];
                try {
                    RegistrationRequest request;
                    request.photo = read_bytes(item.path);
                    request.name = item.name;
                    request.external_id = item.external_id;
                    request.metadata = item.metadata;
                    request.allow_duplicate = options.allow_duplicates;
                    request.skip_known_photo = true;
                    requests.push_back(std::move(request));
                    sent.push_back(i);
                } catch (const Error& e) {
                    outcomes[i] = outcome_of(e);
                }
            }
            std::vector<ImportOutcome> results;
            try {
                if (!requests.empty()) results = sink.register_batch(requests);
            } catch (const Error& e) {
                results.assign(requests.size(), outcome_of(e));  // the whole batch failed (server gone...)
            }
            for (size_t k = 0; k < sent.size(); ++k)
                outcomes[sent[k]] = k < results.size() ? results[k] : outcome_of(Error(ErrorCode::kInternal));

            std::lock_guard lock(mutex);
            for (size_t i : batches[b]) {
                ++summary.counts.done;
                switch (outcomes[i].kind) {
                    case ImportOutcome::Kind::kCreated:
                        ++summary.counts.created;
                        break;
                    case ImportOutcome::Kind::kAdded:
                        ++summary.counts.added;
                        break;
                    case ImportOutcome::Kind::kSkipped:
                        ++summary.counts.skipped;
                        break;
                    case ImportOutcome::Kind::kRejected:
                        ++summary.counts.rejected;
                        break;
                }
            }
            summary.counts.seconds = monotonic_seconds() - start;
            if (on_progress) on_progress(summary.counts);
        }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < std::max(1, options.threads); ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    summary.counts.seconds = monotonic_seconds() - start;
    for (size_t i = 0; i < items.size(); ++i)
        if (outcomes[i].kind == ImportOutcome::Kind::kRejected)
            summary.rejected.push_back({items[i], outcomes[i]});
    return summary;
}

std::string rejected_csv(const std::vector<RejectedPhoto>& rejected) {
    std::string out = "path,name,external_id,code,reasons,message\n";
    for (const auto& r : rejected) {
        std::string reasons;
        for (const auto& reason : r.outcome.reasons) reasons += (reasons.empty() ? "" : ";") + reason;
        out += csv_field(r.item.path.string()) + "," + csv_field(r.item.name) + "," +
               csv_field(r.item.external_id.value_or("")) + "," + csv_field(r.outcome.code) + "," +
               csv_field(reasons) + "," + csv_field(r.outcome.message) + "\n";
    }
    return out;
}

}  // namespace faceid
