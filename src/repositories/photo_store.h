#pragma once
// Content-addressed storage of photo bytes (whole photos and face crops). put() is durable when it
// returns (a file store: temp file, fsync, rename, fsync of the folder; an object store: the PUT was
// acknowledged). One contract suite runs against every implementation.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

// What stat() knows of a stored blob. The age is measured on the store's own clock (a file's mtime against
// the local clock, an object's Last-Modified against the Date of the same answer), so that clock skew
// between replicas and the object store does not matter.
struct PhotoInfo {
    uint64_t size = 0;
    double age_seconds = 0;  // since the last put() of these bytes
};

// A stored blob opened for reading in pieces, so that a download is streamed to the client instead of held
// in memory whole (an object store answers ranged reads).
class PhotoReader {
  public:
    virtual ~PhotoReader() = default;
    virtual uint64_t size() const = 0;
    // Fills up to max bytes from offset; returns how many (0 only at or past the end). Throws Error on a
    // failure (kStorageUnavailable when the store does not answer).
    virtual size_t read(uint64_t offset, char* out, size_t max) = 0;
};

// Requests one kind of store operation made, for /metrics (an object store reports them; files do not).
struct StoreOperationStats {
    static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                          0.1,   0.25,   0.5,   1,    2.5,   10};
    std::string operation;  // put, get, head, delete, list, bucket
    uint64_t requests = 0;  // calls (a call retried three times counts once)
    uint64_t errors = 0;    // calls that failed after their retries
    uint64_t retries = 0;
    std::vector<uint64_t> buckets = std::vector<uint64_t>(std::size(kBuckets), 0);  // cumulative counts
    double seconds = 0;                                                             // sum of call latencies
};

class PhotoStore {
  public:
    virtual ~PhotoStore() = default;
    // Stores bytes; returns their key (lower-case hex SHA-256 + "." + extension, e.g. "ab12...ef.jpg").
    // Storing the same bytes twice returns the same key and keeps one copy, and refreshes the blob's age:
    // another process deciding whether an unreferenced blob is old enough to delete sees it as new (the
    // cross-process rule in Gallery::reclaim_blobs).
    virtual std::string put(std::string_view bytes, std::string_view extension) = 0;
    virtual std::optional<std::string> get(const std::string& key) = 0;
    // The blob for reading in pieces; nullptr when absent.
    virtual std::unique_ptr<PhotoReader> open(const std::string& key) = 0;
    virtual bool remove(const std::string& key) = 0;
    virtual bool exists(const std::string& key) = 0;
    // Size and age of one blob, nullopt when absent.
    virtual std::optional<PhotoInfo> stat(const std::string& key) = 0;
    // Bytes used by all stored blobs (walks them all: for tests and reports, not for a request path).
    virtual uint64_t bytes_used() = 0;
    // Where the blobs are, for logs and `faceid config` ("files /data/photos", "s3 http://.../bucket/").
    virtual std::string description() const = 0;
    // True when a read may wait on the network (an object store). The HTTP transport pulls a streamed body
    // on its event-loop thread, which must never wait on a remote store: such blobs are read whole on
    // the worker instead (they are bounded by the upload limit).
    virtual bool remote() const { return false; }
    // Requests made to a remote store, by operation (empty for a local one).
    virtual std::vector<StoreOperationStats> operation_stats() const { return {}; }

    std::optional<uint64_t> size(const std::string& key) {
        auto info = stat(key);
        return info ? std::optional<uint64_t>(info->size) : std::nullopt;
    }
};

// The key put() returns for these bytes, without storing them (to look up whether a photo is stored).
std::string photo_key_of(std::string_view bytes, std::string_view extension);

// True for keys put() can return: 64 hex digits, a dot, 3-4 lower-case letters. Guards against traversal.
bool is_valid_photo_key(std::string_view key);

// Throws Error(kInvalidField) for a key is_valid_photo_key rejects (every store checks keys it is given).
void require_valid_photo_key(std::string_view key);

// The key for bytes with this extension (folded to lower case); throws Error(kInvalidField) when the
// extension is not 3-4 letters.
std::string checked_photo_key(std::string_view bytes, std::string_view extension);

// True when the bytes' SHA-256 is the key's content address (a copy or a download is intact).
bool bytes_match_photo_key(std::string_view bytes, std::string_view key);

// A PhotoReader over bytes in memory (a small blob read whole, or a store without ranged reads).
class MemoryPhotoReader : public PhotoReader {
  public:
    explicit MemoryPhotoReader(std::string bytes) : bytes_(std::move(bytes)) {}
    uint64_t size() const override { return bytes_.size(); }
    size_t read(uint64_t offset, char* out, size_t max) override;

  private:
    std::string bytes_;
};

}  // namespace faceid
