#pragma once
// The S3 test server (tests/support: s3_test_server()) as S3PhotoStore settings: a shared test bucket and
// a fresh prefix per store, so that tests never see each other's objects; delete_prefix() empties it.
#include "core/ids.h"
#include "repositories/s3/s3_photo_store.h"
#include "support/test_support.h"

#include <optional>

namespace faceid::testing {

inline std::optional<S3Settings> s3_test_settings() {
    auto server = s3_test_server();
    if (!server) return std::nullopt;
    S3Settings settings;
    settings.endpoint = server->endpoint;
    settings.access_key = server->access_key;
    settings.secret_key = server->secret_key;
    settings.bucket = "faceid-test";
    settings.prefix = "t" + random_hex(6) + "/";
    settings.timeout_ms = 5000;
    return settings;
}

// Removes every object under the store's prefix (test clean-up).
inline void delete_prefix(S3PhotoStore& store) {
    try {
        for (const auto& key : store.list_keys()) store.remove(key);
    } catch (const std::exception& e) {
        ADD_FAILURE() << "could not empty the test prefix: " << e.what();
    }
}

}  // namespace faceid::testing
