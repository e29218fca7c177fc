#include "repositories/s3/s3_photo_store.h"

#include "core/error.h"
#include "core/percent_encoding.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ctime>

namespace faceid {
namespace {

std::string content_type_of(std::string_view key) {
    if (key.ends_with(".jpg") || key.ends_with(".jpeg")) return "image/jpeg";
    if (key.ends_with(".png")) return "image/png";
    if (key.ends_with(".webp")) return "image/webp";
    if (key.ends_with(".bmp")) return "image/bmp";
    return "application/octet-stream";
}

// An answer the store did not expect (403 bad credentials, 400 ...): a server-side error whose detail goes
// to the log, never to the API client.
[[noreturn]] void unexpected(const std::string& what, const S3Response& response) {
    throw Error(ErrorCode::kStorageError,
                what + ": HTTP " + std::to_string(response.status) + " " + response.error_code());
}

std::optional<uint64_t> parse_size(const std::string& text) {
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// The total of "Content-Range: bytes 0-99/1234".
std::optional<uint64_t> range_total(const std::string& content_range) {
    const auto slash = content_range.rfind('/');
    if (slash == std::string::npos) return std::nullopt;
    return parse_size(content_range.substr(slash + 1));
}

// Streams an object by ranged GETs of at most one window, keeping only the current window in memory.
class S3Reader : public PhotoReader {
  public:
    S3Reader(S3Client& client, std::string key, uint64_t size, std::string first_window)
        : client_(client), key_(std::move(key)), size_(size), window_(std::move(first_window)) {}

    uint64_t size() const override { return size_; }

    size_t read(uint64_t offset, char* out, size_t max) override {
        if (offset >= size_ || max == 0) return 0;
        if (offset < window_start_ || offset >= window_start_ + window_.size()) {
            const uint64_t last = std::min(size_, offset + S3PhotoStore::kWindowBytes) - 1;
            S3Request request("get", "GET", key_);
            request.range = {offset, last};
            request.max_response_bytes = S3PhotoStore::kWindowBytes;
            auto response = client_.send(request);
            if (response.status != 206 && response.status != 200)
                unexpected("S3 GET " + key_ + " (bytes " + std::to_string(offset) + "-)", response);
            if (response.status == 200) {  // the server ignored the range: cut the window out of the whole
                if (response.body.size() < offset) return 0;
                response.body = response.body.substr(size_t(offset), size_t(last - offset + 1));
            }
            window_ = std::move(response.body);
            window_start_ = offset;
            if (window_.empty()) return 0;
        }
        const uint64_t within = offset - window_start_;
        const size_t n = size_t(std::min<uint64_t>(max, window_.size() - within));
        std::memcpy(out, window_.data() + within, n);
        return n;
    }

  private:
    S3Client& client_;
    std::string key_;
    uint64_t size_;
    std::string window_;
    uint64_t window_start_ = 0;
};

}  // namespace

S3PhotoStore::S3PhotoStore(S3Settings settings) : client_(std::move(settings)) {
    try {
        ensure_bucket();
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kStorageUnavailable) throw;
        spdlog::warn(
            "photo store {} does not answer ({}); starting anyway: photos cannot be stored or shown "
            "until it does",
            client_.location(), e.what());
    }
}

void S3PhotoStore::ensure_bucket() {
    const std::string what = "S3 bucket " + client_.settings().bucket;
    auto head = client_.send(S3Request("bucket", "HEAD"));
    if (head.status == 200) {
        bucket_ready_ = true;
        return;
    }
    if (head.status != 404) unexpected(what + " (check the endpoint, access key and secret key)", head);
    // AWS wants the region of a bucket outside us-east-1 in the request body; other S3 servers (RGW, MinIO)
    // accept an empty body.
    std::string body;
    const auto& region = client_.settings().region;
    if (region != "us-east-1")
        body =
            "<CreateBucketConfiguration "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
            region + "</LocationConstraint></CreateBucketConfiguration>";
    S3Request create("bucket", "PUT");
    create.body = body;
    auto made = client_.send(create);
    if (made.status == 400 && !body.empty() && made.error_code() == "InvalidLocationConstraint") {
        create.body = {};
        made = client_.send(create);
    }
    if (made.status != 200 && !(made.status == 409 && made.error_code() == "BucketAlreadyOwnedByYou"))
        unexpected("creating " + what, made);
    spdlog::info("created the S3 bucket {}", client_.settings().bucket);
    bucket_ready_ = true;
}

std::string S3PhotoStore::put(std::string_view bytes, std::string_view extension) {
    const std::string key = checked_photo_key(bytes, extension);
    if (!bucket_ready_) ensure_bucket();
    S3Request request("put", "PUT", key);
    request.body = bytes;
    request.payload_sha256 = key.substr(0, 64);  // the content address is the payload's SHA-256
    request.content_type = content_type_of(key);
    auto response = client_.send(request);
    if (response.status == 404 && response.error_code() == "NoSuchBucket") {  // removed behind our back
        bucket_ready_ = false;
        ensure_bucket();
        response = client_.send(request);
    }
    if (response.status != 200) unexpected("S3 PUT " + key, response);
    return key;
}

S3Response S3PhotoStore::get_range(const std::string& key, uint64_t first, uint64_t last) {
    S3Request request("get", "GET", key);
    request.range = {first, last};
    request.max_response_bytes = size_t(last - first + 1);
    auto response = client_.send(request);
    if (response.status != 200 && response.status != 206 && response.status != 404 && response.status != 416)
        unexpected("S3 GET " + key, response);
    return response;
}

std::optional<std::string> S3PhotoStore::get(const std::string& key) {
    require_valid_photo_key(key);
    auto response = client_.send(S3Request("get", "GET", key));
    if (response.status == 404) return std::nullopt;
    if (response.status != 200) unexpected("S3 GET " + key, response);
    return std::move(response.body);
}

std::unique_ptr<PhotoReader> S3PhotoStore::open(const std::string& key) {
    require_valid_photo_key(key);
    // The first window comes with the object's size (Content-Range), so a photo smaller than a window, the
    // usual case, is one request.
    auto response = get_range(key, 0, kWindowBytes - 1);
    if (response.status == 404) return nullptr;
    if (response.status == 416) {  // a range of an empty object
        auto info = stat(key);
        return info ? std::make_unique<MemoryPhotoReader>(std::string()) : nullptr;
    }
    if (response.status == 200) return std::make_unique<MemoryPhotoReader>(std::move(response.body));
    const auto total = range_total(response.header("content-range"));
    if (!total) unexpected("S3 GET " + key + " (no Content-Range)", response);
    return std::make_unique<S3Reader>(client_, key, *total, std::move(response.body));
}

bool S3PhotoStore::remove(const std::string& key) {
    require_valid_photo_key(key);
    // S3 answers 204 whether or not the object existed: a HEAD first tells the caller which.
    if (!exists(key)) return false;
    auto response = client_.send(S3Request("delete", "DELETE", key));
    if (response.status != 204 && response.status != 200 && response.status != 404)
        unexpected("S3 DELETE " + key, response);
    return true;
}

bool S3PhotoStore::exists(const std::string& key) {
    return stat(key).has_value();
}

std::optional<PhotoInfo> S3PhotoStore::stat(const std::string& key) {
    require_valid_photo_key(key);
    auto response = client_.send(S3Request("head", "HEAD", key));
    if (response.status == 404) return std::nullopt;
    if (response.status != 200) unexpected("S3 HEAD " + key, response);
    PhotoInfo info;
    info.size = parse_size(response.header("content-length")).value_or(0);
    // Both times from the server's clock: replicas whose clocks differ from it still agree on the age.
    const auto modified = parse_http_date(response.header("last-modified"));
    const auto now = parse_http_date(response.header("date"));
    if (modified) info.age_seconds = double((now ? *now : int64_t(std::time(nullptr))) - *modified);
    return info;
}

template <typename PageVisitor>
void S3PhotoStore::list_pages(PageVisitor&& visit) {
    std::string token;
    for (;;) {
        // Parameters in name order, encoded: SigV4's canonical query string is the query as sent.
        std::string query;
        if (!token.empty()) query += "continuation-token=" + percent_encode(token) + "&";
        query += "list-type=2&prefix=" + percent_encode(client_.settings().prefix);
        S3Request request("list", "GET");
        request.query = query;
        auto response = client_.send(request);
        if (response.status == 404 && response.error_code() == "NoSuchBucket") return;
        if (response.status != 200) unexpected("S3 list " + client_.settings().bucket, response);
        visit(response.body);
        const auto truncated = xml_values(response.body, "IsTruncated");
        const auto next = xml_values(response.body, "NextContinuationToken");
        if (truncated.empty() || truncated.front() != "true" || next.empty()) return;
        token = next.front();
    }
}

std::vector<std::string> S3PhotoStore::list_keys() {
    std::vector<std::string> keys;
    const auto& prefix = client_.settings().prefix;
    list_pages([&](const std::string& page) {
        for (auto& name : xml_values(page, "Key"))
            if (name.starts_with(prefix) && is_valid_photo_key(std::string_view(name).substr(prefix.size())))
                keys.push_back(name.substr(prefix.size()));
    });
    return keys;
}

uint64_t S3PhotoStore::bytes_used() {
    uint64_t total = 0;
    const auto& prefix = client_.settings().prefix;
    list_pages([&](const std::string& page) {
        // <Contents><Key>..</Key>...<Size>..</Size>...</Contents>, one per object
        const auto objects = xml_values(page, "Contents");
        for (const auto& object : objects) {
            const auto names = xml_values(object, "Key");
            const auto sizes = xml_values(object, "Size");
            if (names.empty() || sizes.empty() || !names.front().starts_with(prefix) ||
                !is_valid_photo_key(std::string_view(names.front()).substr(prefix.size())))
                continue;
            total += parse_size(sizes.front()).value_or(0);
        }
    });
    return total;
}

std::string S3PhotoStore::description() const {
    return "s3 " + client_.location();
}

}  // namespace faceid
