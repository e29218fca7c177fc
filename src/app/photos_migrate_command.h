#pragma once
// faceid photos migrate --to s3|files: copies every photo and crop the gallery refers to from one photo
// store to the other (docs/scaling-out.md, "Moving photos to S3").
#include "repositories/photo_store.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace faceid::app {

struct MigrationReport {
    uint64_t keys = 0;     // distinct photo and crop keys the gallery refers to
    uint64_t copied = 0;   // copied and read back with the right SHA-256
    uint64_t already = 0;  // already in the destination (same size; same hash with --verify)
    uint64_t missing = 0;  // in neither store: a row points at nothing (reported, not fixable here)
    uint64_t corrupt = 0;  // the source's bytes do not hash to their key (not copied)
    uint64_t failed = 0;   // the copy or its check failed (store errors); a re-run retries them
    uint64_t bytes_copied = 0;
    double seconds = 0;
    bool ok() const { return missing == 0 && corrupt == 0 && failed == 0; }
};

// Copies `keys` from `from` to `to` with `threads` workers. Resumable: a key already in the destination
// with the source's size is skipped (with verify_existing, only if its bytes hash to the key). Every copy
// is read back from the destination and checked against the key's SHA-256. `progress` (may be empty) is
// called now and then with the report so far.
MigrationReport migrate_photos(PhotoStore& from, PhotoStore& to, const std::vector<std::string>& keys,
                               int threads, bool verify_existing,
                               const std::function<void(const MigrationReport&)>& progress = {});

void add_photos_migrate_command(CLI::App& app);

}  // namespace faceid::app
