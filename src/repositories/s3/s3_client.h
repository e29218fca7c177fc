#pragma once
// A small S3 client on libcurl: path-style or virtual-host URLs, AWS Signature V4 by libcurl itself
// (CURLOPT_AWS_SIGV4, libcurl >= 7.75), plus the x-amz-content-sha256 header that libcurl 7.88 does not add
// and Ceph RGW requires (the payload's SHA-256: the store also gets an integrity check of every PUT).
// Retries with exponential backoff on connection failures, timeouts, resets and 5xx answers; after the
// last attempt such a failure is Error(kStorageUnavailable) (503). Other answers are returned to the
// caller. Keeps a small pool of curl handles, so connections are reused across calls and threads.
// Counts calls, errors, retries and latency per operation (for /metrics). The secret key is never logged
// nor put in an error message.
#include "repositories/photo_store.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

struct S3Settings {
    std::string endpoint;  // http(s)://host[:port], no path
    std::string bucket = "faceid-photos";
    std::string region = "us-east-1";
    std::string access_key;
    std::string secret_key;
    bool path_style = true;  // http://host/bucket/key; false: http://bucket.host/key
    std::string prefix;      // prepended to every object key ("faceid/"); letters, digits, / _ . -
    int connect_timeout_ms = 2000;
    int timeout_ms = 10000;  // one attempt, from connect to the last byte
    int retries = 3;         // attempts after the first on a retryable failure
    int backoff_ms = 100;    // before the first retry; doubles each time (with jitter), at most 2 s
};

// Throws Error(kInvalidField) naming the setting when something is missing or malformed (no request made).
void check_s3_settings(const S3Settings& settings);

struct S3Request {
    std::string operation;  // for metrics: put, get, head, delete, list, bucket
    std::string method;     // GET, PUT, HEAD, DELETE
    std::string key;        // object key without the prefix; empty: the bucket itself
    std::string query;      // already encoded, parameters sorted by name (SigV4's canonical form)
    std::string_view body;  // PUT payload
    std::optional<std::string> payload_sha256;  // hex; computed from body when unset
    std::string content_type;
    std::optional<std::pair<uint64_t, uint64_t>> range;  // inclusive byte range for GET
    size_t max_response_bytes = 64 << 20;                // a larger answer is an error

    S3Request() = default;
    S3Request(std::string operation_, std::string method_, std::string key_ = {})
        : operation(std::move(operation_)), method(std::move(method_)), key(std::move(key_)) {}
};

struct S3Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;

    std::string header(const std::string& lower_name) const;
    // The <Code> of an S3 XML error answer, or "".
    std::string error_code() const;
};

class S3Client {
  public:
    explicit S3Client(S3Settings settings);
    ~S3Client();
    S3Client(const S3Client&) = delete;
    S3Client& operator=(const S3Client&) = delete;

    // Sends the request, retrying as described above. Throws Error(kStorageUnavailable) when S3 cannot be
    // reached or keeps failing with 5xx; otherwise returns the answer, whatever its status.
    S3Response send(const S3Request& request);

    const S3Settings& settings() const { return settings_; }
    // endpoint + bucket + prefix, for logs (no credentials).
    std::string location() const;
    std::vector<StoreOperationStats> stats() const;

  private:
    struct Attempt;
    std::string url_of(const S3Request& request) const;
    Attempt attempt(const S3Request& request, const std::string& url, const std::string& payload_sha256);
    void record(const std::string& operation, double seconds, bool failed, int retries);
    void* acquire_handle();
    void release_handle(void* handle);

    S3Settings settings_;
    std::string sigv4_;     // "aws:amz:<region>:s3"
    std::string user_pwd_;  // access:secret, given only to libcurl
    std::string host_url_;  // scheme://[bucket.]host[:port]
    std::mutex handles_mutex_;
    std::vector<void*> idle_handles_;
    mutable std::mutex stats_mutex_;
    std::map<std::string, StoreOperationStats> stats_;
};

// S3's date format (RFC 7231 IMF-fixdate, "Tue, 01 Dec 2026 02:38:25 GMT") as seconds since the epoch;
// nullopt when it does not parse.
std::optional<int64_t> parse_http_date(const std::string& text);

// The text of each <tag>...</tag> in an S3 XML answer, in order (entities &amp; &lt; &gt; &quot; &apos;
// decoded). Enough for ListObjectsV2 and error answers, which have no nesting of the same tag.
std::vector<std::string> xml_values(std::string_view xml, std::string_view tag);

}  // namespace faceid
