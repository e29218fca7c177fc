// What only the SQLite storage promises: a file that survives restarts and kill -9 with every committed
// registration intact, schema migrations that are all-or-nothing, and a file that stays consistent
// under concurrent writers.
#include "core/error.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_repository.h"
#include "repositories/sqlite/sqlite_schema.h"
#include "repositories/sqlite/sqlite_statement.h"
#include "support/test_records.h"
#include "support/test_support.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;

class SqliteStorageTest : public ::testing::Test {
  protected:
    void TearDown() override { fs::remove_all(dir_); }

    std::string pragma(SqliteDatabase& database, const char* sql) {
        return database.read([&](SqliteConnection& connection) { return connection.query_text(sql); });
    }

    fs::path dir_ = make_temp_dir("faceid-sqlite");
    fs::path file_ = dir_ / "faceid.db";
};

TEST_F(SqliteStorageTest, AReopenedFileKeepsEverything) {
    PersonRecord person = make_person("Reopened", "R-1");
    FaceRecord first = make_face(person.id, 1, 0.3);
    FaceRecord second = make_face(person.id, 2, 0.9);
    {
        auto database = std::make_shared<SqliteDatabase>(file_);
        SqlitePersonRepository repository(database);
        repository.create_person(person, first);
        TemplateChange change;
        change.added = second;
        change.new_primary_face_id = second.id;
        repository.add_template(change);
    }
    auto database = std::make_shared<SqliteDatabase>(file_);
    SqlitePersonRepository repository(database);
    auto stored = repository.find_by_external_id("R-1");
    ASSERT_TRUE(stored);
    expect_same_person(*stored, person);
    EXPECT_EQ(stored->primary_face_id, second.id);
    EXPECT_EQ(stored->face_count, 2);
    expect_same_face(*repository.get_face(first.id), first);
    expect_same_face(*repository.get_face(second.id), second);
    EXPECT_EQ(database->integrity_check(), "ok");
}

TEST_F(SqliteStorageTest, AnEmptyFileIsMigratedToTheLatestSchemaWithDurableSettings) {
    std::ofstream(file_).close();  // zero bytes, as left by a touch or an interrupted copy
    ASSERT_EQ(fs::file_size(file_), 0u);
    SqliteDatabase database(file_);
    EXPECT_EQ(database.schema_version(), sqlite_schema_migrations().back().version);
    EXPECT_EQ(pragma(database, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(pragma(database, "PRAGMA foreign_keys"), "1");
    EXPECT_EQ(pragma(database, "PRAGMA synchronous"), "2") << "FULL";
    for (const char* table : {"persons", "faces", "schema_version"}) {
        bool found = database.read([&](SqliteConnection& connection) {
            SqliteStatement statement(connection,
                                      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
            statement.bind(1, table);
            return statement.step();
        });
        EXPECT_TRUE(found) << table;
    }
    // Opening again applies nothing twice.
    SqliteDatabase again(file_);
    EXPECT_EQ(again.schema_version(), sqlite_schema_migrations().back().version);
    EXPECT_EQ(pragma(again, "SELECT COUNT(*) FROM schema_version"),
              std::to_string(sqlite_schema_migrations().size()));
}

TEST_F(SqliteStorageTest, AFailingMigrationLeavesTheFileAtItsPreviousVersion) {
    SqliteConnection connection(file_, SqliteConnection::Mode::kCreate, 1000);
    const std::array<SqliteMigration, 1> first = {SqliteMigration{1, "CREATE TABLE a (x INTEGER)"}};
    EXPECT_EQ(apply_sqlite_migrations(connection, first), 1);

    const std::array<SqliteMigration, 3> broken = {
        SqliteMigration{1, "CREATE TABLE a (x INTEGER)"},
        SqliteMigration{2, "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1)"},
        SqliteMigration{3, "INSERT INTO no_such_table VALUES (1)"},
    };
    EXPECT_EQ(error_code_of([&] { apply_sqlite_migrations(connection, broken); }), ErrorCode::kStorageError);
    EXPECT_EQ(sqlite_schema_version(connection), 1);
    EXPECT_EQ(connection.query_text("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'b'"), "0");
    EXPECT_EQ(connection.query_text("SELECT COUNT(*) FROM a"), "0");

    const std::array<SqliteMigration, 2> fixed = {broken[0], broken[1]};
    EXPECT_EQ(apply_sqlite_migrations(connection, fixed), 2);
    EXPECT_EQ(connection.query_text("SELECT COUNT(*) FROM a"), "1");
    // A program that knows fewer migrations than the file has refuses to touch it.
    EXPECT_EQ(error_code_of([&] { apply_sqlite_migrations(connection, first); }), ErrorCode::kStorageError);
    EXPECT_EQ(sqlite_schema_version(connection), 2);
}

TEST_F(SqliteStorageTest, IntegrityHoldsAfterConcurrentMixedWrites) {
    auto database = std::make_shared<SqliteDatabase>(file_);
    SqlitePersonRepository repository(database);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 rng{unsigned(t)};
            try {
                for (int i = 0; i < 12; ++i) {
                    PersonRecord person = make_person("Mixed " + std::to_string(t) + "-" + std::to_string(i));
                    FaceRecord first = make_face(person.id, rng(), 0.5);
                    repository.create_person(person, first);
                    std::vector<std::string> faces = {first.id};
                    for (int extra = 0; extra < 3; ++extra) {
                        TemplateChange change;
                        change.added = make_face(person.id, rng(), double(rng() % 100) / 100);
                        if (rng() % 2) change.new_primary_face_id = change.added.id;
                        if (rng() % 3 == 0) change.dropped_face_ids = {faces[rng() % faces.size()]};
                        repository.add_template(change);
                        faces.push_back(change.added.id);
                    }
                    if (rng() % 3 == 0) repository.delete_face(faces[rng() % faces.size()]);
                    if (rng() % 5 == 0) repository.delete_person(person.id);
                }
            } catch (const std::exception& error) {
                ++failures;
                ADD_FAILURE() << error.what();
            }
        });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(failures, 0);

    EXPECT_EQ(database->integrity_check(), "ok");
    EXPECT_EQ(pragma(*database, "PRAGMA foreign_key_check"), "") << "no face without its person";
    // Every person kept at least one face, and its primary is one of them.
    EXPECT_EQ(pragma(*database,
                     "SELECT COUNT(*) FROM persons p WHERE NOT EXISTS "
                     "(SELECT 1 FROM faces f WHERE f.person_id = p.id AND f.id = p.primary_face_id)"),
              "0");
    EXPECT_GT(repository.count_persons(), 0);
}

// ---- crash safety: a child process registers persons until it is killed with SIGKILL ----

struct CommitReport {
    uint64_t index;  // the child's n-th registration
    uint64_t stage;  // 1: person created, 2: its second template added
};

constexpr uint64_t kFirstLabel = 1'000'000;

PersonRecord crash_person(uint64_t index) {
    PersonRecord person;
    char id[18];
    std::snprintf(id, sizeof id, "p%016llx", static_cast<unsigned long long>(index + 1));
    person.id = id;
    person.name = "Crash " + std::to_string(index);
    person.external_id = "crash-" + std::to_string(index);
    person.created_at_ms = 1'700'000'000'000 + int64_t(index);
    person.updated_at_ms = person.created_at_ms;
    return person;
}

FaceRecord crash_face(uint64_t index, uint64_t stage) {
    FaceRecord face = make_face(crash_person(index).id, index * 2 + stage, 0.1 * double(stage));
    face.label = kFirstLabel + index * 2 + stage;
    face.id = face_id_from_label(face.label);
    return face;
}

// Runs in the forked child: no gtest here, and _exit instead of returning.
[[noreturn]] void register_until_killed(const fs::path& file, int report_fd) {
    try {
        auto database = std::make_shared<SqliteDatabase>(file);
        SqlitePersonRepository repository(database);
        for (uint64_t index = 0; index < 100'000; ++index) {
            repository.create_person(crash_person(index), crash_face(index, 1));
            CommitReport created{index, 1};
            if (write(report_fd, &created, sizeof created) != sizeof created) _exit(3);
            TemplateChange change;
            change.added = crash_face(index, 2);
            change.new_primary_face_id = change.added.id;
            repository.add_template(change);
            CommitReport added{index, 2};
            if (write(report_fd, &added, sizeof added) != sizeof added) _exit(3);
        }
    } catch (...) {
        _exit(2);
    }
    _exit(0);
}

TEST_F(SqliteStorageTest, EveryCommitReportedBeforeKillMinus9IsThereAndComplete) {
    SqliteDatabase{file_};  // create the file and schema before the child starts writing
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(fds[0]);
        register_until_killed(file_, fds[1]);
    }
    close(fds[1]);

    // Let the child commit a good number of writes, then kill it wherever it is (usually mid-transaction,
    // as most of its time goes to fsync).
    std::vector<CommitReport> reports;
    auto read_reports = [&](int timeout_ms) {
        pollfd waiting{fds[0], POLLIN, 0};
        if (poll(&waiting, 1, timeout_ms) <= 0) return false;
        CommitReport buffer[64];
        ssize_t got = read(fds[0], buffer, sizeof buffer);
        if (got <= 0) return false;
        reports.insert(reports.end(), buffer, buffer + size_t(got) / sizeof(CommitReport));
        return true;  // reports are 16 bytes and pipe writes of <= PIPE_BUF bytes are atomic: no partial one
    };
    const size_t target = 150 + size_t(std::random_device{}() % 100);
    while (reports.size() < target && read_reports(30'000)) {
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended by itself (status " << status << ") before it was killed";
    while (read_reports(0)) {
    }
    close(fds[0]);
    ASSERT_GE(reports.size(), target);

    auto database = std::make_shared<SqliteDatabase>(file_);
    EXPECT_EQ(database->integrity_check(), "ok");
    SqlitePersonRepository repository(database);
    for (const CommitReport& report : reports) {
        PersonRecord expected = crash_person(report.index);
        auto person = repository.get_person(expected.id);
        ASSERT_TRUE(person) << "committed registration " << report.index << " is missing";
        EXPECT_EQ(person->external_id, expected.external_id);
        for (uint64_t stage = 1; stage <= report.stage; ++stage) {
            FaceRecord face = crash_face(report.index, stage);
            auto stored = repository.get_face(face.id);
            ASSERT_TRUE(stored) << "committed face " << report.index << "/" << stage << " is missing";
            expect_same_face(*stored, face);
        }
        if (report.stage == 2) {
            EXPECT_EQ(person->primary_face_id, crash_face(report.index, 2).id);
        }
    }
    // Nothing half-written either: the only thing beyond the reports may be the one write that committed
    // just before the kill, and it is whole (a person always has its face and a valid primary).
    int64_t reported_persons = int64_t(reports.back().index) + 1;
    EXPECT_GE(repository.count_persons(), reported_persons);
    EXPECT_LE(repository.count_persons(), reported_persons + 1);
    EXPECT_EQ(pragma(*database,
                     "SELECT COUNT(*) FROM persons p WHERE NOT EXISTS "
                     "(SELECT 1 FROM faces f WHERE f.person_id = p.id AND f.id = p.primary_face_id)"),
              "0");
    std::cout << "[          ] child committed " << reports.size() << " reported writes before SIGKILL; "
              << repository.count_persons() << " persons, " << repository.count_faces()
              << " faces on reopen\n";
}

}  // namespace
}  // namespace faceid::testing
