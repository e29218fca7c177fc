#pragma once
// Shared helpers for tests: where the labelled photos and models are, and reading files.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace faceid::testing {

// A small progressive JPEG (OpenCV, IMWRITE_JPEG_PROGRESSIVE) with its last scan repeated `extra_scans`
// more times before the end marker: a valid file that makes the decoder pass over the image again per scan.
std::string progressive_jpeg(int extra_scans = 0, int width = 320, int height = 240);

// ../shared/data (or $FACEID_TEST_DATA) if it exists.
std::optional<std::filesystem::path> test_data_dir();
// models/ (or $FACEID_MODELS_DIR).
std::filesystem::path models_dir();
std::string read_file(const std::filesystem::path& path);
// A fresh empty folder under the system temp dir, removed by the caller (or left for inspection).
std::filesystem::path make_temp_dir(const std::string& prefix);
// $FACEID_TEST_CLICKHOUSE_URL (set by scripts/run-tests.sh, which starts scripts/clickhouse-test-server.sh),
// or nothing when no test ClickHouse server runs.
std::optional<std::string> clickhouse_test_url();

// The S3 test server from $FACEID_TEST_S3=ENDPOINT,ACCESS,SECRET (set by scripts/run-tests.sh, which starts
// scripts/ceph-test-server.sh), or nothing when none runs. `state` is $FACEID_TEST_CEPH_STATE, the server's
// folder, for tests that stop and start its radosgw (empty when unknown).
struct S3TestServer {
    std::string endpoint, access_key, secret_key, state;
};
std::optional<S3TestServer> s3_test_server();
inline constexpr const char* kNoS3Message =
    "!!! SKIPPED: no S3 test server (FACEID_TEST_S3 is unset; scripts/run-tests.sh starts one with "
    "scripts/ceph-test-server.sh) !!!";
// A TCP port on 127.0.0.1 that nothing listens on (bound and released).
int free_tcp_port();

}  // namespace faceid::testing

// Skips the current test (reported as skipped, not passed) when the shared photos are not there.
#define FACEID_REQUIRE_TEST_DATA(var)                                               \
    auto var##_opt = ::faceid::testing::test_data_dir();                            \
    if (!var##_opt) GTEST_SKIP() << "test photos not found (set FACEID_TEST_DATA)"; \
    const std::filesystem::path var = *var##_opt

// Skips the current test, loudly, when no test ClickHouse server is configured.
#define FACEID_REQUIRE_CLICKHOUSE(var)                                                                  \
    auto var##_opt = ::faceid::testing::clickhouse_test_url();                                          \
    if (!var##_opt)                                                                                     \
        GTEST_SKIP() << "!!! SKIPPED: no ClickHouse test server (FACEID_TEST_CLICKHOUSE_URL is unset; " \
                        "scripts/run-tests.sh starts one with scripts/clickhouse-test-server.sh) !!!";  \
    const std::string var = *var##_opt
