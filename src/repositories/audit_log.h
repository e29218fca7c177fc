#pragma once
// Append-only record of who did what: registrations, searches, verifications, deletions and key changes.
// Holds ids only (key, persons, faces), never photos or embeddings.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faceid {

struct AuditEntry {
    int64_t seq = 0;  // assigned by the log, increasing
    int64_t at_ms = 0;
    std::string key_id;  // "local" when authentication is off, "cli" for the command line
    std::string key_name;
    std::string role;
    std::string action;  // register | search | search.batch | verify | update | delete.person | ...
    int status = 0;      // HTTP status of the answer (0 for the command line)
    nlohmann::json subject_ids = nlohmann::json::array();  // ids the request named
    nlohmann::json result_ids = nlohmann::json::array();   // ids the answer returned or changed
};

struct AuditQuery {
    int limit = 50;                     // 1..1000
    std::optional<int64_t> before_seq;  // paging: entries older than this one
    std::optional<std::string> action;
    std::optional<std::string> key_id;
};

struct AuditPage {
    std::vector<AuditEntry> entries;  // newest first
    std::optional<int64_t> next_before_seq;
};

class AuditLog {
  public:
    virtual ~AuditLog() = default;
    // Stores the entry durably and returns its seq.
    virtual int64_t append(const AuditEntry& entry) = 0;
    virtual AuditPage list(const AuditQuery& query) = 0;
};

}  // namespace faceid
