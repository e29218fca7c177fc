#pragma once
// When searches last matched each person: read back as PersonRecord::last_matched_at_ms and used by the
// retention policy's inactivity rule. Written in batches (services/gallery notes matches in memory).
// Contract suite in tests/contract/person_jobs_contract.cpp.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace faceid {

class MatchLog {
  public:
    virtual ~MatchLog() = default;

    // Notes that searches matched these persons at these times (person id, epoch ms); keeps the latest
    // time per person, ignores unknown ids.
    virtual void record_matches(const std::vector<std::pair<std::string, int64_t>>& matched_at) = 0;
};

}  // namespace faceid
