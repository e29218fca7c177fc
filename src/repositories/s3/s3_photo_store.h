#pragma once
// PhotoStore on S3 (Ceph RGW, MinIO, AWS, ...): blob = object <prefix><sha256>.<ext> in one bucket, which is
// created at start when missing (and again if it vanishes). A PUT is atomic and acknowledged only once
// stored, and carries its SHA-256, so the server rejects a corrupted upload; a re-PUT of the same bytes
// refreshes the object's Last-Modified (the age Gallery::reclaim_blobs checks). Downloads are ranged GETs
// of at most kWindowBytes, so a streamed photo never needs more memory than that. When S3 does not answer
// (after the client's retries) every call throws Error(kStorageUnavailable): 503 to the API client.
// Thread-safe; any number of processes may share a bucket and prefix as long as they serve one gallery.
#include "repositories/photo_store.h"
#include "repositories/s3/s3_client.h"

#include <atomic>
#include <string>
#include <vector>

namespace faceid {

class S3PhotoStore : public PhotoStore {
  public:
    static constexpr uint64_t kWindowBytes = 1 << 20;

    // Checks the settings and makes sure the bucket exists. When S3 does not answer it logs a warning
    // and starts anyway (search does not need photos); the bucket is made at the first write instead.
    explicit S3PhotoStore(S3Settings settings);

    std::string put(std::string_view bytes, std::string_view extension) override;
    std::optional<std::string> get(const std::string& key) override;
    std::unique_ptr<PhotoReader> open(const std::string& key) override;
    bool remove(const std::string& key) override;
    bool exists(const std::string& key) override;
    std::optional<PhotoInfo> stat(const std::string& key) override;
    uint64_t bytes_used() override;
    std::string description() const override;
    bool remote() const override { return true; }
    std::vector<StoreOperationStats> operation_stats() const override { return client_.stats(); }

    // Every photo key under the prefix (ListObjectsV2, page by page): for tests and tools.
    std::vector<std::string> list_keys();
    S3Client& client() { return client_; }

  private:
    void ensure_bucket();
    // A ranged GET; the answer's status is 200, 206, 404 or 416 (empty object), anything else throws.
    S3Response get_range(const std::string& key, uint64_t first, uint64_t last);
    // Calls `list` for each page of ListObjectsV2 under the prefix.
    template <typename PageVisitor>
    void list_pages(PageVisitor&& visit);

    S3Client client_;
    std::atomic<bool> bucket_ready_{false};
};

}  // namespace faceid
