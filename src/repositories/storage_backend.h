#pragma once
// One storage backend's bundle: everything a process keeps in it, opened together so that a process never
// mixes backends. A backend is one folder under repositories/ (sqlite/, clickhouse/) with its bundle class,
// one row in the app's backend table (app/storage_backends.cpp) and its contract-suite instantiations
// (tests/contract/: the person-job contracts, the key and audit contracts, StorageBackendContract).
// Photos are not part of it: the photo store is chosen on its own (app/photo_stores.cpp).
#include "repositories/api_key_repository.h"
#include "repositories/audit_log.h"
#include "repositories/face_change_feed.h"
#include "repositories/person_stores.h"

#include <filesystem>
#include <string>

namespace faceid {

class StorageBackend {
  public:
    virtual ~StorageBackend() = default;

    // Each store is opened (connected, schema created or migrated) on first use and is the same object on
    // every later call: a command that needs only keys (faceid keys) opens only keys and audit. Not
    // thread-safe: open what a process needs at its start. Throw Error(kUnavailable) when unreachable.
    virtual PersonStores person_stores() = 0;
    PersonRepository& persons() { return person_stores().persons; }
    virtual ApiKeyRepository& keys() = 0;
    virtual AuditLog& audit() = 0;

    // A backend several processes share reports the faces the others wrote (each process keeps its
    // in-memory index in step with it); null for a backend only this process writes.
    virtual FaceChangeFeed* change_feed() { return nullptr; }
    // Where this process may save its index between runs; empty when a saved index could go stale (a
    // shared backend: others write while this process is down).
    virtual std::filesystem::path index_snapshot() const { return {}; }
    // Periodic maintenance on background threads, started by serve only (ClickHouse: OPTIMIZE); stops
    // with the backend.
    virtual void start_background_work() {}

    // "sqlite:<file>" or "clickhouse:<url>/<database>", for messages.
    virtual std::string description() const = 0;
};

}  // namespace faceid
