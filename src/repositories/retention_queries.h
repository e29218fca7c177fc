#pragma once
// What a retention policy may remove, and its removal of templates (services/retention_service). Implemented
// by every storage backend over the same records as its PersonRepository; contract suite in
// tests/contract/person_jobs_contract.cpp.
#include "core/records.h"

#include <cstdint>
#include <string>
#include <vector>

namespace faceid {

class RetentionQueries {
  public:
    virtual ~RetentionQueries() = default;

    // Ids of persons that a template retention policy may concern: those with a face that is not their
    // primary and was created before created_before_ms (0 disables this condition), or with more than
    // max_faces faces (max_faces <= 0 disables it). Any order.
    virtual std::vector<std::string> persons_for_retention(int64_t created_before_ms, int max_faces) = 0;
    // Ids of persons with no sign of life since before_ms: not created, updated, given a face or matched
    // by a search (MatchLog) at or after that time. Any order.
    virtual std::vector<std::string> inactive_persons(int64_t before_ms) = 0;
    // Deletes the listed faces of one person in one transaction, except the person's primary face, which
    // is never removed this way (so the person always keeps one face). Ids of other persons' faces and
    // unknown ids are skipped. Returns the faces removed.
    virtual std::vector<FaceRecord> remove_templates(const std::string& person_id,
                                                     const std::vector<std::string>& face_ids) = 0;
};

}  // namespace faceid
