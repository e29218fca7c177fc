// Gallery's rules for deleting content-addressed photos, on a real SQLite repository and each real photo
// store (a folder, and S3 when the test server runs): a registration that failed leaves no orphan that no
// row refers to; with replicas sharing the store (a grace period) a young unreferenced blob is deferred and
// re-checked, a blob another replica deleted before our commit is stored again, and a store that does not
// answer defers the deletion instead of failing the caller.
#include "core/sha256.h"
#include "repositories/files/file_photo_store.h"
#include "repositories/index/index_factory.h"
#include "repositories/s3/s3_photo_store.h"
#include "repositories/sqlite/sqlite_backend.h"
#include "services/gallery.h"
#include "support/s3_test_server.h"
#include "support/test_records.h"
#include "support/test_support.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

struct StoreKind {
    std::string name;
    // A fresh store, or null (after GTEST_SKIP) when its server is not there.
    std::function<std::unique_ptr<PhotoStore>(const fs::path& dir)> make;
};

void PrintTo(const StoreKind& kind, std::ostream* out) {
    *out << kind.name;
}

class PhotoReclaimTest : public ::testing::TestWithParam<StoreKind> {
  protected:
    void SetUp() override {
        store_ = GetParam().make(dir_);
        if (!store_) GTEST_SKIP() << kNoS3Message;
        backend_ = std::make_unique<SqliteBackend>(dir_);
        IndexConfig config;
        config.kind = "flat";
        index_ = make_vector_index(config);
        gallery_ = std::make_unique<Gallery>(backend_->person_stores(), *store_, *index_);
    }
    void TearDown() override {
        gallery_.reset();
        if (auto* s3 = dynamic_cast<S3PhotoStore*>(store_.get())) delete_prefix(*s3);
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // A person whose one face refers to these two blobs.
    void commit_face(const std::string& photo_key, const std::string& crop_key) {
        const auto person = make_person("Ada");
        auto face = make_face(person.id, 1);
        face.photo_key = photo_key;
        face.crop_key = crop_key;
        gallery_->create_person(person, face);
    }

    fs::path dir_ = make_temp_dir("faceid-reclaim");
    std::unique_ptr<PhotoStore> store_;
    std::unique_ptr<SqliteBackend> backend_;
    std::unique_ptr<VectorIndex> index_;
    std::unique_ptr<Gallery> gallery_;
};

TEST_P(PhotoReclaimTest, AFailedRegistrationLeavesNoUnreferencedBlob) {
    const std::string referenced = store_->put("a photo a row refers to", "jpg");
    const std::string crop = store_->put("its crop", "jpg");
    commit_face(referenced, crop);
    // A later registration stored the same photo again and a new crop, then its commit failed.
    const std::string orphan = store_->put("the failed registration's crop", "jpg");
    gallery_->discard_new_blobs({referenced, orphan});
    EXPECT_TRUE(store_->exists(referenced)) << "a row still refers to it";
    EXPECT_FALSE(store_->exists(orphan));
    EXPECT_EQ(gallery_->deferred_blobs(), 0u);
}

TEST_P(PhotoReclaimTest, WithReplicasAYoungUnreferencedBlobIsDeferredAndReCheckedAfterTheGrace) {
    gallery_->set_blob_grace(1.5);
    // Two blobs another replica "just stored": one for a row it commits meanwhile, one it gave up on.
    const std::string committed_later = store_->put("photo of a registration in flight", "jpg");
    const std::string abandoned = store_->put("photo of a registration that failed", "jpg");
    const std::string crop = store_->put("crop of the registration in flight", "jpg");
    gallery_->discard_new_blobs({committed_later, abandoned});
    EXPECT_TRUE(store_->exists(committed_later));
    EXPECT_TRUE(store_->exists(abandoned)) << "deleted within the grace period";
    EXPECT_EQ(gallery_->deferred_blobs(), 2u);
    commit_face(committed_later, crop);  // the other replica's row commits

    std::this_thread::sleep_for(std::chrono::milliseconds(2600));  // S3 ages have whole seconds
    gallery_->sweep_deferred_blobs();
    EXPECT_TRUE(store_->exists(committed_later)) << "re-checked: a row refers to it now";
    EXPECT_FALSE(store_->exists(abandoned));
    EXPECT_EQ(gallery_->deferred_blobs(), 0u);
}

TEST_P(PhotoReclaimTest, ABlobDeletedBeforeOurCommitIsStoredAgain) {
    const std::string bytes = "photo another replica deleted as unreferenced";
    const std::string key = store_->put(bytes, "jpg");
    store_->remove(key);
    gallery_->ensure_blobs_after_commit({{key, bytes}});
    EXPECT_FALSE(store_->exists(key)) << "one process (no grace): nothing to check";
    gallery_->set_blob_grace(60);
    gallery_->ensure_blobs_after_commit({{key, bytes}});
    EXPECT_EQ(store_->get(key), std::optional<std::string>(bytes));
}

TEST_P(PhotoReclaimTest, RemovingAPersonDeletesTheBlobsNoOtherFaceUses) {
    const std::string shared = store_->put("a photo registered for two faces", "jpg");
    const std::string crop_a = store_->put("crop a", "jpg");
    const std::string crop_b = store_->put("crop b", "jpg");
    commit_face(shared, crop_a);
    const auto other = make_person("Bob");
    auto face = make_face(other.id, 2);
    face.photo_key = shared;
    face.crop_key = crop_b;
    gallery_->create_person(other, face);
    const auto removal = gallery_->remove_person(other.id);
    EXPECT_EQ(removal.faces.size(), 1u);
    EXPECT_EQ(removal.bytes_reclaimed, std::string("crop b").size()) << "only the bytes it deleted";
    EXPECT_TRUE(store_->exists(shared));
    EXPECT_TRUE(store_->exists(crop_a));
    EXPECT_FALSE(store_->exists(crop_b));
}

std::unique_ptr<PhotoStore> make_s3_store(const fs::path&) {
    auto settings = s3_test_settings();
    if (!settings) return nullptr;
    return std::make_unique<S3PhotoStore>(*settings);
}

INSTANTIATE_TEST_SUITE_P(Stores, PhotoReclaimTest,
                         ::testing::Values(StoreKind{"files",
                                                     [](const fs::path& dir) {
                                                         return std::make_unique<FilePhotoStore>(dir /
                                                                                                 "photos");
                                                     }},
                                           StoreKind{"s3", make_s3_store}),
                         [](const auto& info) { return info.param.name; });

// S3 does not answer: the deletion is deferred (and retried by the next sweep), the caller goes on.
TEST(PhotoReclaimS3Down, ADeletionTheStoreCannotDoIsDeferredNotThrown) {
    auto settings = s3_test_settings();
    if (!settings) GTEST_SKIP() << kNoS3Message;
    settings->endpoint = "http://127.0.0.1:" + std::to_string(free_tcp_port());
    settings->retries = 0;
    const auto dir = make_temp_dir("faceid-reclaim-down");
    {
        S3PhotoStore store(*settings);
        SqliteBackend backend(dir);
        IndexConfig config;
        config.kind = "flat";
        auto index = make_vector_index(config);
        Gallery gallery(backend.person_stores(), store, *index);
        gallery.discard_new_blobs({sha256_hex("x") + ".jpg"});
        EXPECT_EQ(gallery.deferred_blobs(), 1u);
    }
    fs::remove_all(dir);
}

}  // namespace
}  // namespace faceid::testing
