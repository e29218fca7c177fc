// S3PhotoStore joins the PhotoStore contract against a real S3 server (Ceph radosgw, started by
// scripts/ceph-test-server.sh; FACEID_TEST_S3=http://127.0.0.1:PORT,ACCESS,SECRET), and its S3-specific
// behaviour is checked here: bucket creation, errors when S3 is unreachable or refuses the credentials,
// retries, request counts, the age rule.
#include "contract/photo_store_contract.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/sha256.h"
#include "repositories/s3/s3_photo_store.h"
#include "support/s3_test_server.h"
#include "support/test_records.h"
#include "support/test_support.h"

#include <chrono>
#include <functional>
#include <thread>

namespace faceid::testing {
namespace {

class S3StoreHarness : public PhotoStoreHarness {
  public:
    explicit S3StoreHarness(S3Settings settings) : store_(std::move(settings)) {}
    ~S3StoreHarness() override { delete_prefix(store_); }
    PhotoStore& store() override { return store_; }

  private:
    S3PhotoStore store_;
};

std::unique_ptr<PhotoStoreHarness> make_s3_harness() {
    auto settings = s3_test_settings();
    if (!settings) {
        [] { GTEST_SKIP() << kNoS3Message; }();
        return nullptr;
    }
    return std::make_unique<S3StoreHarness>(*settings);
}

INSTANTIATE_TEST_SUITE_P(S3, PhotoStoreContract, ::testing::Values(PhotoStoreFactory{"s3", make_s3_harness}),
                         PhotoStoreContract::name_of);

class S3PhotoStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto settings = s3_test_settings();
        if (!settings) GTEST_SKIP() << kNoS3Message;
        settings_ = *settings;
    }
    S3Settings settings_;
};

uint64_t count_of(const std::vector<StoreOperationStats>& stats, const std::string& operation,
                  uint64_t StoreOperationStats::*field) {
    for (const auto& s : stats)
        if (s.operation == operation) return s.*field;
    return 0;
}

TEST_F(S3PhotoStoreTest, AMissingBucketIsCreatedAtStart) {
    settings_.bucket = "faceid-new-" + random_hex(4);
    {
        S3PhotoStore store(settings_);
        const std::string key = store.put("in a new bucket", "jpg");
        EXPECT_EQ(store.get(key), std::optional<std::string>("in a new bucket"));
        EXPECT_EQ(store.list_keys(), std::vector<std::string>{key});
        S3PhotoStore again(settings_);  // an existing bucket is fine
        EXPECT_TRUE(again.exists(key));
        delete_prefix(store);
        auto gone = store.client().send(S3Request("bucket", "DELETE"));
        EXPECT_EQ(gone.status, 204) << gone.body;
    }
}

TEST_F(S3PhotoStoreTest, StreamedReadsFetchOneWindowPerRequest) {
    S3PhotoStore store(settings_);
    std::string bytes(S3PhotoStore::kWindowBytes * 2 + 1000, 'x');
    bytes[S3PhotoStore::kWindowBytes] = 'y';
    const std::string key = store.put(bytes, "png");
    const auto gets_before = count_of(store.operation_stats(), "get", &StoreOperationStats::requests);
    auto reader = store.open(key);
    ASSERT_TRUE(reader);
    std::string piece(64 * 1024, '\0');
    uint64_t offset = 0;
    std::string back;
    while (size_t got = reader->read(offset, piece.data(), piece.size())) {
        back.append(piece.data(), got);
        offset += got;
    }
    EXPECT_TRUE(back == bytes);
    EXPECT_EQ(count_of(store.operation_stats(), "get", &StoreOperationStats::requests) - gets_before, 3u)
        << "2 MiB + 1000 bytes in 1 MiB windows: three ranged GETs, whatever the piece size";
    delete_prefix(store);
}

TEST_F(S3PhotoStoreTest, PutOfStoredBytesRefreshesTheAge) {
    S3PhotoStore store(settings_);
    const std::string key = store.put("aged bytes", "jpg");
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // Last-Modified has whole seconds
    EXPECT_GE(store.stat(key)->age_seconds, 2.0);
    store.put("aged bytes", "jpg");
    EXPECT_LT(store.stat(key)->age_seconds, 2.0) << "another replica must see it as just stored";
    delete_prefix(store);
}

TEST_F(S3PhotoStoreTest, AnUnreachableServerIsStorageUnavailableAfterRetries) {
    settings_.endpoint = "http://127.0.0.1:" + std::to_string(free_tcp_port());
    settings_.retries = 2;
    settings_.backoff_ms = 10;
    S3PhotoStore store(settings_);  // starts anyway: search does not need photos
    EXPECT_EQ(error_code_of([&] { store.put("bytes", "jpg"); }), ErrorCode::kStorageUnavailable);
    EXPECT_EQ(error_code_of([&] { store.get(sha256_hex("x") + ".jpg"); }), ErrorCode::kStorageUnavailable);
    EXPECT_EQ(error_code_of([&] { store.open(sha256_hex("x") + ".jpg"); }), ErrorCode::kStorageUnavailable);
    const auto stats = store.operation_stats();
    EXPECT_EQ(count_of(stats, "get", &StoreOperationStats::errors), 2u);
    EXPECT_EQ(count_of(stats, "get", &StoreOperationStats::retries), 4u) << "two retries per call";
}

TEST_F(S3PhotoStoreTest, WrongCredentialsAreRefusedAtStartWithoutShowingTheSecret) {
    settings_.secret_key = "not-the-secret-" + random_hex(8);
    try {
        S3PhotoStore store(settings_);
        FAIL() << "a store with a wrong secret started";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kStorageError);
        EXPECT_NE(std::string(e.what()).find("403"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find(settings_.secret_key), std::string::npos) << e.what();
    }
}

TEST_F(S3PhotoStoreTest, TheServerRejectsABodyThatDoesNotMatchItsHash) {
    // The x-amz-content-sha256 header is the payload's hash, so a corrupted upload is refused, not stored.
    S3PhotoStore store(settings_);
    const std::string key = sha256_hex("the real bytes") + ".jpg";
    S3Request request("put", "PUT", key);
    request.body = "other bytes";
    request.payload_sha256 = key.substr(0, 64);
    const auto response = store.client().send(request);
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.error_code(), "XAmzContentSHA256Mismatch");
    EXPECT_FALSE(store.exists(key));
}

TEST_F(S3PhotoStoreTest, SettingsAreCheckedBeforeAnyRequest) {
    for (auto change : std::vector<std::function<void(S3Settings&)>>{
             [](S3Settings& s) { s.endpoint = "127.0.0.1:9000"; },
             [](S3Settings& s) { s.endpoint = "http://127.0.0.1:9000/path"; },
             [](S3Settings& s) { s.bucket = "ab"; },
             [](S3Settings& s) { s.bucket = "Upper"; },
             [](S3Settings& s) { s.access_key.clear(); },
             [](S3Settings& s) { s.secret_key.clear(); },
             [](S3Settings& s) { s.prefix = "/abs"; },
             [](S3Settings& s) { s.prefix = "a b"; },
         }) {
        S3Settings bad = settings_;
        change(bad);
        EXPECT_EQ(error_code_of([&] { S3PhotoStore store(bad); }), ErrorCode::kInvalidField);
    }
}

}  // namespace
}  // namespace faceid::testing
