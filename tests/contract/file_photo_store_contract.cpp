// FilePhotoStore joins the PhotoStore contract, and its file layout and crash hygiene are checked here.
#include "contract/photo_store_contract.h"
#include "core/sha256.h"
#include "repositories/files/file_photo_store.h"
#include "support/test_support.h"

#include <chrono>
#include <filesystem>
#include <fstream>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

class FileStoreHarness : public PhotoStoreHarness {
  public:
    FileStoreHarness() : dir_(make_temp_dir("faceid-photos-contract")), store_(dir_ / "photos") {}
    ~FileStoreHarness() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    PhotoStore& store() override { return store_; }

  private:
    fs::path dir_;
    FilePhotoStore store_;
};

INSTANTIATE_TEST_SUITE_P(Files, PhotoStoreContract,
                         ::testing::Values(PhotoStoreFactory{
                             "files", [] { return std::make_unique<FileStoreHarness>(); }}),
                         PhotoStoreContract::name_of);

class FilePhotoStoreTest : public ::testing::Test {
  protected:
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_ = make_temp_dir("faceid-photos");
};

TEST_F(FilePhotoStoreTest, BlobsFanOutByTheirFirstTwoHexDigitsAndLeaveNoTempFiles) {
    FilePhotoStore store(dir_);
    std::string key = store.put("a photo", "jpg");
    EXPECT_EQ(read_file(dir_ / key.substr(0, 2) / key), "a photo");
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir_))
        if (entry.is_regular_file()) ++files;
    EXPECT_EQ(files, 1) << "no temp file is left after put()";
}

TEST_F(FilePhotoStoreTest, AnotherInstanceOnTheSameFolderSeesTheBlobs) {
    std::string key = FilePhotoStore(dir_).put("kept across restarts", "png");
    FilePhotoStore reopened(dir_);
    EXPECT_EQ(reopened.get(key), std::optional<std::string>("kept across restarts"));
    EXPECT_EQ(reopened.bytes_used(), std::string("kept across restarts").size());
}

TEST_F(FilePhotoStoreTest, OldTempFilesFromACrashAreRemovedAtOpenButFreshOnesAreKept) {
    std::string key = FilePhotoStore(dir_).put("x", "jpg");
    fs::path folder = dir_ / key.substr(0, 2);
    std::ofstream(folder / ".tmp-old") << "half a photo";
    std::ofstream(folder / ".tmp-fresh") << "being written by another process";
    fs::last_write_time(folder / ".tmp-old", fs::file_time_type::clock::now() - std::chrono::hours(2));
    FilePhotoStore store(dir_);
    EXPECT_FALSE(fs::exists(folder / ".tmp-old"));
    EXPECT_TRUE(fs::exists(folder / ".tmp-fresh"));
    EXPECT_EQ(store.bytes_used(), 1u) << "temp files are not counted";
}

}  // namespace
}  // namespace faceid::testing

namespace faceid::testing {
namespace {

TEST(FilePhotoStoreAge, PutOfStoredBytesMakesTheFileNewAgain) {
    const auto dir = make_temp_dir("faceid-photos-age");
    FilePhotoStore store(dir);
    const std::string key = store.put("the same bytes", "jpg");
    fs::last_write_time(dir / key.substr(0, 2) / key,
                        fs::file_time_type::clock::now() - std::chrono::hours(2));
    EXPECT_GT(store.stat(key)->age_seconds, 7000.0);
    EXPECT_EQ(store.put("the same bytes", "jpg"), key);
    EXPECT_LT(store.stat(key)->age_seconds, 60.0) << "another process must see it as just stored";
    fs::remove_all(dir);
}

}  // namespace
}  // namespace faceid::testing
