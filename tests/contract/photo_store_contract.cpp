// The PhotoStore contract: every implementation instantiates this suite (see the header).
#include "contract/photo_store_contract.h"

#include "core/error.h"
#include "core/sha256.h"
#include "support/test_records.h"

#include <atomic>
#include <random>
#include <thread>
#include <vector>

namespace faceid::testing {
namespace {

std::string random_bytes(size_t size, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string bytes(size, '\0');
    for (char& c : bytes) c = char(rng() & 0xff);
    return bytes;
}

}  // namespace

TEST_P(PhotoStoreContract, PutReturnsTheContentAddressAndGetReturnsTheSameBytes) {
    std::string bytes = random_bytes(100'003, 1);
    bytes[10] = '\0';  // binary data, NULs included
    std::string key = store().put(bytes, "jpg");
    EXPECT_EQ(key, sha256_hex(bytes) + ".jpg");
    EXPECT_TRUE(is_valid_photo_key(key));
    EXPECT_TRUE(store().exists(key));
    auto stored = store().get(key);
    ASSERT_TRUE(stored);
    EXPECT_EQ(*stored, bytes);

    EXPECT_EQ(store().put(bytes, "JPEG"), sha256_hex(bytes) + ".jpeg")
        << "the extension is folded to lower case";
    std::string empty_key = store().put("", "png");
    EXPECT_EQ(store().get(empty_key), std::optional<std::string>(""));

    std::string absent = sha256_hex("never stored") + ".jpg";
    EXPECT_FALSE(store().exists(absent));
    EXPECT_FALSE(store().get(absent));
}

TEST_P(PhotoStoreContract, SameBytesAreStoredOnce) {
    std::string bytes = random_bytes(5000, 2);
    uint64_t before = store().bytes_used();
    std::string first = store().put(bytes, "png");
    std::string second = store().put(bytes, "png");
    EXPECT_EQ(first, second);
    EXPECT_EQ(store().bytes_used(), before + bytes.size());
    EXPECT_TRUE(store().remove(first));
    EXPECT_FALSE(store().exists(second)) << "one copy, so one remove takes it";
}

TEST_P(PhotoStoreContract, RemoveDeletesAndBytesUsedFollows) {
    EXPECT_EQ(store().bytes_used(), 0u);
    std::string a = store().put(random_bytes(1234, 3), "jpg");
    std::string b = store().put(random_bytes(4321, 4), "webp");
    EXPECT_EQ(store().bytes_used(), 1234u + 4321u);
    EXPECT_TRUE(store().remove(a));
    EXPECT_FALSE(store().remove(a));
    EXPECT_FALSE(store().exists(a));
    EXPECT_FALSE(store().get(a));
    EXPECT_TRUE(store().exists(b));
    EXPECT_EQ(store().bytes_used(), 4321u);
}

TEST_P(PhotoStoreContract, KeysThatPutCannotReturnAreRejected) {
    const std::string hex(64, 'a');
    const std::vector<std::string> bad_keys = {
        "",
        "../../etc/passwd",
        std::string("../").append(hex, 3) + ".jpg",  // (append: GCC 12 warns falsely on "literal" + string)
        std::string("/").append(hex, 1) + ".jpg",
        hex.substr(0, 62) + "/..jpg",
        hex + ".jpg/..",
        hex + "./jp",
        hex + ".JPG",
        std::string(64, 'A') + ".jpg",
        std::string(64, 'g') + ".jpg",
        hex.substr(1) + ".jpg",
        hex + "0.jpg",
        hex + ".jp",
        hex + ".jpegx",
        hex + ".mp4",
        hex + ".jpg\n",
        hex + std::string(".jp\0g", 5),
        hex + "..jpg",
    };
    for (const std::string& key : bad_keys) {
        EXPECT_FALSE(is_valid_photo_key(key)) << key;
        EXPECT_EQ(error_code_of([&] { store().get(key); }), ErrorCode::kInvalidField) << key;
        EXPECT_EQ(error_code_of([&] { store().exists(key); }), ErrorCode::kInvalidField) << key;
        EXPECT_EQ(error_code_of([&] { store().remove(key); }), ErrorCode::kInvalidField) << key;
    }
    EXPECT_TRUE(is_valid_photo_key(hex + ".jpg"));
    EXPECT_TRUE(is_valid_photo_key(hex + ".webp"));
    for (std::string extension : {"", "j", "../x", "jp/g", "jpegxl", "mp4", ".jpg"})
        EXPECT_EQ(error_code_of([&] { store().put("bytes", extension); }), ErrorCode::kInvalidField)
            << extension;
    EXPECT_EQ(store().bytes_used(), 0u);
}

TEST_P(PhotoStoreContract, ConcurrentPutsOfTheSameAndOtherBytesStayIntact) {
    const std::string shared = random_bytes(300'000, 5);
    std::atomic<int> failures{0};
    std::vector<std::string> own_keys(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            try {
                for (int i = 0; i < 5; ++i) {
                    if (store().put(shared, "jpg") != sha256_hex(shared) + ".jpg") ++failures;
                    auto read = store().get(sha256_hex(shared) + ".jpg");
                    if (!read || *read != shared) ++failures;  // never a partial file
                }
                own_keys[t] = store().put(random_bytes(1000, 100 + uint64_t(t)), "png");
            } catch (const std::exception& error) {
                ++failures;
                ADD_FAILURE() << error.what();
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures, 0);
    for (int t = 0; t < 8; ++t) EXPECT_EQ(store().get(own_keys[t]), random_bytes(1000, 100 + uint64_t(t)));
    EXPECT_EQ(store().bytes_used(), shared.size() + 8 * 1000u);
}

}  // namespace faceid::testing

namespace faceid::testing {

TEST_P(PhotoStoreContract, OpenReadsTheBytesInPiecesAtAnyOffset) {
    // Larger than an S3 window (1 MiB), so a streamed download crosses windows.
    const std::string bytes = random_bytes(2'500'000, 6);
    const std::string key = store().put(bytes, "jpg");
    auto reader = store().open(key);
    ASSERT_TRUE(reader);
    EXPECT_EQ(reader->size(), bytes.size());
    std::string read_back;
    std::string piece(256 * 1024, '\0');
    for (;;) {
        const size_t got = reader->read(read_back.size(), piece.data(), piece.size());
        if (got == 0) break;
        read_back.append(piece.data(), got);
    }
    EXPECT_TRUE(read_back == bytes) << "read " << read_back.size() << " bytes";
    // Backwards and across a window's edge, as a transport that retries a piece might ask.
    char small[10];
    ASSERT_EQ(reader->read(1'048'570, small, sizeof small), sizeof small);
    EXPECT_EQ(std::string(small, sizeof small), bytes.substr(1'048'570, sizeof small));
    ASSERT_EQ(reader->read(3, small, 4), 4u);
    EXPECT_EQ(std::string(small, 4), bytes.substr(3, 4));
    EXPECT_EQ(reader->read(bytes.size(), small, sizeof small), 0u);

    auto empty = store().open(store().put("", "png"));
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->size(), 0u);
    EXPECT_EQ(empty->read(0, small, sizeof small), 0u);
    EXPECT_FALSE(store().open(sha256_hex("never stored") + ".jpg"));
}

TEST_P(PhotoStoreContract, StatGivesTheSizeAndAFreshAgeAfterPut) {
    const std::string bytes = random_bytes(4096, 7);
    const std::string key = store().put(bytes, "jpg");
    const auto info = store().stat(key);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->size, bytes.size());
    EXPECT_GE(info->age_seconds, -2.0) << "ages come from the store's own clock";
    EXPECT_LT(info->age_seconds, 30.0);
    EXPECT_EQ(store().size(key), bytes.size());
    EXPECT_FALSE(store().stat(sha256_hex("never stored") + ".jpg"));
    EXPECT_EQ(error_code_of([&] { store().stat("../x"); }), ErrorCode::kInvalidField);
    EXPECT_EQ(error_code_of([&] { store().open("../x"); }), ErrorCode::kInvalidField);
    EXPECT_FALSE(store().description().empty());
}

}  // namespace faceid::testing
