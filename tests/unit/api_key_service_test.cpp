// The key service over a real SQLite key store: issuing, authenticating and revoking keys.
#include "services/api_key_service.h"
#include "core/error.h"
#include "repositories/sqlite/sqlite_api_key_repository.h"
#include "repositories/sqlite/sqlite_database.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>

namespace faceid::testing {
namespace {

// The key service over a real store: a key works until revoked; any altered or malformed key is refused.
TEST(ApiKeyService, AuthenticatesOnlyExactActiveKeys) {
    const std::filesystem::path dir = make_temp_dir("faceid-key-service");
    auto database = std::make_shared<SqliteDatabase>(dir / "faceid.db");
    SqliteApiKeyRepository store(database);
    ApiKeyService keys(store);
    auto first = keys.bootstrap_admin();
    ASSERT_TRUE(first);
    EXPECT_FALSE(keys.bootstrap_admin());
    auto created = keys.create(Role::kSearcher, "gate");
    EXPECT_EQ(store.get_key(created.record.id)->hash_hex.find(created.key.substr(23)), std::string::npos);
    auto caller = keys.authenticate(created.key);
    ASSERT_TRUE(caller);
    EXPECT_EQ(caller->role, Role::kSearcher);
    EXPECT_EQ(caller->key_id, created.record.id);
    EXPECT_EQ(keys.authenticate(first->key)->role, Role::kAdmin);
    // Same id, other secret; other id, same secret; truncated; extended; upper-case; empty.
    std::string other = created.key;
    other.back() = other.back() == 'a' ? 'b' : 'a';
    EXPECT_FALSE(keys.authenticate(other));
    EXPECT_FALSE(keys.authenticate("fidb_" + first->record.id + created.key.substr(22)));
    EXPECT_FALSE(keys.authenticate(created.key.substr(0, created.key.size() - 1)));
    EXPECT_FALSE(keys.authenticate(created.key + "0"));
    std::string upper = created.key;
    for (auto& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(keys.authenticate(upper));
    EXPECT_FALSE(keys.authenticate(""));
    EXPECT_THROW(keys.create(Role::kAdmin, ""), Error);
    EXPECT_THROW(keys.create(Role::kAdmin, "a\nb"), Error);
    EXPECT_TRUE(keys.revoke(created.record.id));
    EXPECT_FALSE(keys.authenticate(created.key));
    EXPECT_FALSE(keys.revoke(created.record.id));
    EXPECT_FALSE(keys.revoke("../etc"));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faceid::testing
