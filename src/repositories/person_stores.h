#pragma once
// The records of persons and faces as their users see them: one interface per job, all over the same
// tables of one storage backend (StorageBackend::person_stores). A service takes the bundle and uses
// the parts it needs; a test can hand it in-memory ones (tests/support/in_memory_person_stores.h).
#include "repositories/match_log.h"
#include "repositories/person_repository.h"
#include "repositories/photo_references.h"
#include "repositories/retention_queries.h"

namespace faceid {

struct PersonStores {
    PersonRepository& persons;
    PhotoReferences& photo_references;
    RetentionQueries& retention;
    MatchLog& matches;
};

}  // namespace faceid
