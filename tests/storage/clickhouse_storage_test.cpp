// What the PersonRepository contract does not cover for ClickHouse: literal escaping against hostile
// strings on the real server, the change feed between two processes' repositories, and the schema
// migration run by several replicas. Skipped loudly when no test server runs.
#include "repositories/clickhouse/clickhouse_sql.h"
#include "repositories/clickhouse/row_binary.h"
#include "support/clickhouse_test_database.h"
#include "support/test_records.h"

#include <gtest/gtest.h>

#include <set>

namespace faceid::testing {
namespace {

std::vector<std::string> hostile_strings() {
    std::vector<std::string> strings = {
        "",
        "'",
        "\\",
        "\\'",
        "'; DROP DATABASE default; --",
        "' OR 1=1 --",
        "\\' OR 1=1 --",
        "a\\\\'b",
        "line\nbreak\r\ttab",
        std::string("nul\0inside", 10),
        "\xff\xfe invalid UTF-8 \xc3",
        "ü €  😀",
        "back`tick\"double\"",
        "{name:String}",
        "%s %d ?",
        "\x1b[31m\x7f",
        // Escaped, twice in one query, still under ClickHouse's max_query_size (256 KiB).
        std::string(30000, '\''),
    };
    std::string every_byte;
    for (int b = 0; b < 256; ++b) every_byte += char(b);
    strings.push_back(every_byte);
    return strings;
}

TEST(ClickHouseSql, QuoteStringRoundTripsHostileStringsByteForByte) {
    FACEID_REQUIRE_CLICKHOUSE(url);
    ClickHouseTestDatabase database(url);
    ClickHouseClient client(database.settings());
    for (const std::string& value : hostile_strings()) {
        const std::string body = client.query_without_database("SELECT " + quote_string(value) + ", length(" +
                                                               quote_string(value) + ") FORMAT RowBinary");
        RowBinaryReader reader(body);
        EXPECT_EQ(reader.string(), value) << "for a string of " << value.size() << " bytes";
        EXPECT_EQ(reader.u64(), value.size());
        EXPECT_TRUE(reader.at_end());
    }
}

TEST(ClickHouseSql, DatabaseNamesOtherThanPlainIdentifiersAreRefused) {
    for (const char* bad : {"", "1abc", "faceid; DROP", "face id", "faceid`", "db.table", "ü"}) {
        ClickHouseSettings settings;
        settings.database = bad;
        EXPECT_THROW(ClickHouseClient{settings}, Error) << bad;
    }
    EXPECT_EQ(checked_identifier("faceid_prod2"), "faceid_prod2");
}

TEST(ClickHouseStorage, HostileNamesAndKeysAreStoredAndFoundLiterally) {
    FACEID_REQUIRE_CLICKHOUSE(url);
    ClickHouseTestDatabase database(url);
    ClickHousePersonRepository repo(database.settings());
    uint64_t seed = 1;
    std::set<std::string> ids;
    for (const std::string& value : hostile_strings()) {
        if (value.size() > 1000) continue;
        PersonRecord person = make_person(value, value.empty() ? std::nullopt : std::optional(value));
        person.metadata = {{"note", value.size()}};
        FaceRecord face = make_face(person.id, ++seed);
        face.photo_key = "p" + value;
        repo.create_person(person, face);
        ids.insert(person.id);
        auto stored = repo.get_person(person.id);
        ASSERT_TRUE(stored);
        EXPECT_EQ(stored->name, value);
        if (!value.empty()) {
            EXPECT_EQ(repo.find_by_external_id(value)->id, person.id);
        }
        EXPECT_TRUE(repo.is_blob_referenced("p" + value));
    }
    EXPECT_EQ(repo.count_persons(), int64_t(ids.size())) << "nothing was dropped or duplicated";
    EXPECT_EQ(repo.get_persons({ids.begin(), ids.end()}).size(), ids.size());
    PersonQuery query;
    query.limit = 1000;
    query.name_contains = "' OR 1=1 --";
    EXPECT_EQ(repo.list_persons(query).persons.size(), 2u);
}

TEST(ClickHouseStorage, ReplicasStartingTogetherShareOneSchema) {
    FACEID_REQUIRE_CLICKHOUSE(url);
    ClickHouseTestDatabase database(url);
    std::vector<std::thread> replicas;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i)
        replicas.emplace_back([&] {
            try {
                ClickHousePersonRepository repo(database.settings());
            } catch (const std::exception& error) {
                ++failures;
                ADD_FAILURE() << error.what();
            }
        });
    for (auto& t : replicas) t.join();
    EXPECT_EQ(failures, 0);
    ClickHouseClient client(database.settings());
    EXPECT_EQ(client.query("SELECT max(version) FROM schema_version FORMAT TabSeparated"), "2\n");
    EXPECT_EQ(client.query("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name IN "
                           "('persons', 'faces', 'photos', 'api_keys', 'audit', 'person_matches', "
                           "'photo_history') FORMAT TabSeparated"),
              "7\n");
}

}  // namespace
}  // namespace faceid::testing
