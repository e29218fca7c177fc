#include "repositories/s3/s3_client.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/sha256.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

namespace faceid {
namespace {

constexpr size_t kMaxIdleHandles = 32;
constexpr int kMaxBackoffMs = 2000;

std::string lower(std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

[[noreturn]] void refuse(const std::string& field, const std::string& message) {
    throw Error(ErrorCode::kInvalidField, field + ": " + message, {{"field", field}});
}

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Failures worth another attempt: the server or the network, not our request.
bool retryable(CURLcode code) {
    switch (code) {
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_NOT_BUILT_IN:
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_WRITE_ERROR:  // our own size limit
        case CURLE_READ_ERROR:
        case CURLE_OUT_OF_MEMORY:
            return false;
        default:
            return true;
    }
}

bool retryable(long status, const std::string& error_code) {
    return status >= 500 || status == 429 || (status == 400 && error_code == "RequestTimeout");
}

struct UploadSource {
    std::string_view data;
    size_t position = 0;
};

size_t read_upload(char* out, size_t size, size_t count, void* user) {
    auto* source = static_cast<UploadSource*>(user);
    const size_t n = std::min(size * count, source->data.size() - source->position);
    std::memcpy(out, source->data.data() + source->position, n);
    source->position += n;
    return n;
}

struct Sink {
    S3Response* response;
    size_t limit;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const size_t n = size * count;
    if (sink->response->body.size() + n > sink->limit) return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
    sink->response->body.append(data, n);
    return n;
}

size_t write_header(char* data, size_t size, size_t count, void* user) {
    auto* response = static_cast<S3Response*>(user);
    const size_t n = size * count;
    std::string_view line(data, n);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (line.starts_with("HTTP/")) {
        response->headers.clear();  // a new status line (after "100 Continue" or a redirect)
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        response->headers[lower(std::string(line.substr(0, colon)))] = std::string(value);
    }
    return n;
}

// Frees a curl header list on every path out of a scope.
struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& header) {
        if (curl_slist* grown = curl_slist_append(list, header.c_str())) list = grown;
    }
};

}  // namespace

void check_s3_settings(const S3Settings& s) {
    const auto scheme_end = s.endpoint.find("://");
    if (!(s.endpoint.starts_with("http://") || s.endpoint.starts_with("https://")))
        refuse("storage.s3_endpoint", "must start with http:// or https:// (it is '" + s.endpoint + "')");
    const std::string host = s.endpoint.substr(scheme_end + 3);
    if (host.empty() || host.find_first_of("/?#@ ") != std::string::npos)
        refuse("storage.s3_endpoint",
               "must be scheme://host[:port] with no path (it is '" + s.endpoint + "')");
    const auto& b = s.bucket;
    const bool bucket_ok =
        b.size() >= 3 && b.size() <= 63 && std::isalnum(static_cast<unsigned char>(b.front())) &&
        std::isalnum(static_cast<unsigned char>(b.back())) && std::all_of(b.begin(), b.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        });
    if (!bucket_ok)
        refuse("storage.s3_bucket", "'" + b +
                                        "' is not a bucket name (3-63 of a-z 0-9 . -, starting and "
                                        "ending with a letter or digit)");
    if (s.region.empty() || !std::all_of(s.region.begin(), s.region.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }))
        refuse("storage.s3_region", "'" + s.region + "' is not a region name (a-z 0-9 -)");
    if (s.access_key.empty()) refuse("storage.s3_access_key", "is required with photo_store s3");
    if (s.secret_key.empty())
        refuse("storage.s3_secret_key", "is required with photo_store s3 (or storage.s3_secret_key_file)");
    if (!std::all_of(s.prefix.begin(), s.prefix.end(),
                     [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' ||
                                c == '.' || c == '-';
                     }) ||
        s.prefix.starts_with("/") || s.prefix.find("//") != std::string::npos)
        refuse("storage.s3_prefix",
               "'" + s.prefix + "' may hold only letters, digits, / _ . - (not leading /)");
}

std::string S3Response::header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string S3Response::error_code() const {
    const auto codes = xml_values(body, "Code");
    return codes.empty() ? std::string() : codes.front();
}

struct S3Client::Attempt {
    S3Response response;
    CURLcode curl = CURLE_OK;
    std::string curl_error;
};

S3Client::S3Client(S3Settings settings) : settings_(std::move(settings)) {
    check_s3_settings(settings_);
    init_curl_once();
    sigv4_ = "aws:amz:" + settings_.region + ":s3";
    user_pwd_ = settings_.access_key + ":" + settings_.secret_key;
    host_url_ = settings_.endpoint;
    while (host_url_.ends_with("/")) host_url_.pop_back();
    if (!settings_.path_style) {
        const auto scheme_end = host_url_.find("://") + 3;
        host_url_.insert(scheme_end, settings_.bucket + ".");
    }
}

S3Client::~S3Client() {
    for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

std::string S3Client::location() const {
    return (settings_.path_style ? host_url_ + "/" + settings_.bucket : host_url_) + "/" + settings_.prefix;
}

std::string S3Client::url_of(const S3Request& request) const {
    std::string url = host_url_;
    if (settings_.path_style) url += "/" + settings_.bucket;
    if (!request.key.empty()) url += "/" + settings_.prefix + request.key;
    if (!settings_.path_style && request.key.empty()) url += "/";
    if (!request.query.empty()) url += "?" + request.query;
    return url;
}

void* S3Client::acquire_handle() {
    {
        std::lock_guard lock(handles_mutex_);
        if (!idle_handles_.empty()) {
            void* handle = idle_handles_.back();
            idle_handles_.pop_back();
            return handle;
        }
    }
    CURL* handle = curl_easy_init();
    if (!handle) throw Error(ErrorCode::kInternal, "curl_easy_init failed");
    return handle;
}

void S3Client::release_handle(void* handle) {
    std::lock_guard lock(handles_mutex_);
    if (idle_handles_.size() < kMaxIdleHandles)
        idle_handles_.push_back(handle);
    else
        curl_easy_cleanup(static_cast<CURL*>(handle));
}

S3Client::Attempt S3Client::attempt(const S3Request& request, const std::string& url,
                                    const std::string& payload_sha256) {
    Attempt result;
    CURL* curl = static_cast<CURL*>(acquire_handle());
    struct Release {
        S3Client* client;
        CURL* curl;
        bool discard = false;  // after a transport failure: its connection may be broken
        ~Release() {
            if (discard)
                curl_easy_cleanup(curl);
            else
                client->release_handle(curl);
        }
    } release{this, curl};
    curl_easy_reset(curl);  // keeps the live connections and the DNS cache

    HeaderList headers;
    headers.add("x-amz-content-sha256: " + payload_sha256);
    // No "Expect:" header to suppress 100-continue: libcurl 7.88 signs an emptied header too (as "expect:")
    // without sending it, and the server then refuses the signature (403).
    if (!request.content_type.empty()) headers.add("Content-Type: " + request.content_type);
    if (request.range)
        headers.add("Range: bytes=" + std::to_string(request.range->first) + "-" +
                    std::to_string(request.range->second));

    char error_buffer[CURL_ERROR_SIZE] = {};
    Sink sink{&result.response, request.max_response_bytes};
    UploadSource upload{request.body, 0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // several threads; timeouts without SIGALRM
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(settings_.connect_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(settings_.timeout_ms));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, user_pwd_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, write_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.response);
    if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.size()));
    } else if (request.method != "GET") {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    result.curl = curl_easy_perform(curl);
    if (result.curl == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.response.status);
    } else {
        result.curl_error = error_buffer[0] ? error_buffer : curl_easy_strerror(result.curl);
        release.discard = true;
    }
    return result;
}

S3Response S3Client::send(const S3Request& request) {
    const std::string url = url_of(request);
    const std::string payload_sha256 =
        request.payload_sha256 ? *request.payload_sha256 : sha256_hex(request.body);
    const std::string what = "S3 " + request.method + " " + settings_.prefix + request.key;
    const double start = monotonic_seconds();
    thread_local std::mt19937 jitter{std::random_device{}()};
    int retries = 0;
    for (int attempt_number = 0;; ++attempt_number) {
        Attempt result = attempt(request, url, payload_sha256);
        std::string problem;
        if (result.curl != CURLE_OK) {
            if (!retryable(result.curl)) {
                record(request.operation, monotonic_seconds() - start, true, retries);
                throw Error(ErrorCode::kStorageError, what + ": " + result.curl_error);
            }
            problem = result.curl_error;
        } else if (retryable(result.response.status, result.response.error_code())) {
            problem = "HTTP " + std::to_string(result.response.status) + " " + result.response.error_code();
        } else {
            const bool failed = result.response.status >= 400 && result.response.status != 404;
            record(request.operation, monotonic_seconds() - start, failed, retries);
            return std::move(result.response);
        }
        if (attempt_number >= settings_.retries) {
            record(request.operation, monotonic_seconds() - start, true, retries);
            throw Error(
                ErrorCode::kStorageUnavailable,
                what + ": " + problem + " (after " + std::to_string(attempt_number + 1) + " attempts)");
        }
        // Exponential backoff with jitter (0.5x to 1.5x), so that replicas do not retry in lockstep.
        const int base = std::min(kMaxBackoffMs, settings_.backoff_ms << std::min(attempt_number, 10));
        const int delay = std::uniform_int_distribution<int>(base / 2, base + base / 2)(jitter);
        spdlog::debug("{}: {}; retrying in {} ms", what, problem, delay);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        ++retries;
    }
}

void S3Client::record(const std::string& operation, double seconds, bool failed, int retries) {
    std::lock_guard lock(stats_mutex_);
    auto& stats = stats_[operation];
    stats.operation = operation;
    ++stats.requests;
    stats.errors += failed ? 1 : 0;
    stats.retries += uint64_t(retries);
    stats.seconds += seconds;
    for (size_t i = 0; i < std::size(StoreOperationStats::kBuckets); ++i)
        if (seconds <= StoreOperationStats::kBuckets[i]) ++stats.buckets[i];
}

std::vector<StoreOperationStats> S3Client::stats() const {
    std::lock_guard lock(stats_mutex_);
    std::vector<StoreOperationStats> out;
    for (const auto& [name, stats] : stats_) out.push_back(stats);
    return out;
}

std::optional<int64_t> parse_http_date(const std::string& text) {
    std::tm tm{};
    const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0') return std::nullopt;
    return int64_t(::timegm(&tm));
}

std::vector<std::string> xml_values(std::string_view xml, std::string_view tag) {
    std::vector<std::string> values;
    const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
    for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at)) {
        const size_t begin = at + open.size();
        const size_t end = xml.find(close, begin);
        if (end == std::string_view::npos) break;
        std::string value;
        for (size_t i = begin; i < end; ++i) {
            if (xml[i] != '&') {
                value += xml[i];
                continue;
            }
            static const std::pair<std::string_view, char> kEntities[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
            bool decoded = false;
            for (const auto& [entity, c] : kEntities)
                if (xml.substr(i, entity.size()) == entity) {
                    value += c;
                    i += entity.size() - 1;
                    decoded = true;
                    break;
                }
            if (!decoded) value += '&';
        }
        values.push_back(std::move(value));
        at = end + close.size();
    }
    return values;
}

}  // namespace faceid
