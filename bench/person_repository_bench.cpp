// How fast the embedded store gives back all faces (the service rebuilds its in-memory vector index from
// for_each_face at start), and what a durable registration costs. Prints figures; never fails on time.
//
//   build/release/bench/bench_person_repository [faces=100000] [folder=<temp>]
#include "synthetic_records.h"

#include "core/clock.h"
#include "core/ids.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_repository.h"
#include "repositories/sqlite/sqlite_statement.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace faceid;

int main(int argc, char** argv) {
    const int64_t count = argc > 1 ? std::atoll(argv[1]) : 100'000;
    const bool own_folder = argc <= 2;
    std::filesystem::path folder =
        own_folder ? std::filesystem::temp_directory_path() / ("faceid-bench-" + random_hex(4))
                   : std::filesystem::path(argv[2]);
    std::filesystem::path file = folder / "bench.db";
    std::filesystem::remove(file);
    std::mt19937 rng(7);

    {  // Load without fsync (a benchmark fixture, not the service's durable path).
        SqliteOptions bulk;
        bulk.durable = false;
        SqlitePersonRepository repository(std::make_shared<SqliteDatabase>(file, bulk));
        double start = monotonic_seconds();
        for (int64_t i = 0; i < count; ++i) {
            PersonRecord person = bench::synthetic_person(i);
            repository.create_person(person, bench::synthetic_face(person.id, rng));
        }
        double seconds = monotonic_seconds() - start;
        std::printf("load:          %lld persons+faces in %.2f s (%.0f registrations/s, synchronous=OFF)\n",
                    static_cast<long long>(count), seconds, double(count) / seconds);
    }
    std::printf("file size:     %.1f MB\n", double(std::filesystem::file_size(file)) / 1e6);

    auto database = std::make_shared<SqliteDatabase>(file);  // durable settings, as the service opens it
    SqlitePersonRepository repository(database);
    for (int run = 1; run <= 3; ++run) {
        // What the service does at start: copy every label and embedding into its index.
        std::vector<uint64_t> labels;
        std::vector<float> vectors;
        labels.reserve(size_t(count));
        vectors.reserve(size_t(count) * kEmbeddingDim);
        double start = monotonic_seconds();
        repository.for_each_face([&](const FaceRecord& face) {
            labels.push_back(face.label);
            vectors.insert(vectors.end(), face.embedding.begin(), face.embedding.end());
        });
        double seconds = monotonic_seconds() - start;
        std::printf("for_each_face: run %d, %zu faces in %.3f s (%.2f us/face, %.0f faces/s)\n", run,
                    labels.size(), seconds, seconds * 1e6 / double(labels.size()),
                    double(labels.size()) / seconds);
    }

    {  // The floor: only label and embedding, straight from SQLite, no FaceRecord and no JSON.
        std::vector<float> vectors;
        vectors.reserve(size_t(count) * kEmbeddingDim);
        double start = monotonic_seconds();
        size_t rows = database->read([&](SqliteConnection& connection) {
            SqliteStatement scan(connection, "SELECT label, embedding FROM faces");
            size_t n = 0;
            while (scan.step()) {
                auto blob = scan.column_blob(1);
                const float* floats = reinterpret_cast<const float*>(blob.data());
                vectors.insert(vectors.end(), floats, floats + blob.size() / sizeof(float));
                ++n;
            }
            return n;
        });
        double seconds = monotonic_seconds() - start;
        std::printf("raw scan of label+embedding (floor): %zu rows in %.3f s (%.2f us/row)\n", rows, seconds,
                    seconds * 1e6 / double(rows));
    }

    std::vector<double> latencies;
    for (int i = 0; i < 200; ++i) {
        PersonRecord person = bench::synthetic_person(count + i);
        FaceRecord face = bench::synthetic_face(person.id, rng);
        double start = monotonic_seconds();
        repository.create_person(person, face);
        latencies.push_back((monotonic_seconds() - start) * 1e3);
    }
    std::sort(latencies.begin(), latencies.end());
    std::printf("durable create_person (synchronous=FULL, %zu writes): median %.2f ms, p95 %.2f ms\n",
                latencies.size(), latencies[latencies.size() / 2], latencies[latencies.size() * 95 / 100]);

    double start = monotonic_seconds();
    PersonQuery query;
    query.limit = 100;
    query.name_contains = "person 9999";
    size_t matched = 0;
    for (;;) {
        PersonPage page = repository.list_persons(query);
        matched += page.persons.size();
        if (page.next_cursor.empty()) break;
        query.cursor = page.next_cursor;
    }
    std::printf("list_persons name filter over all persons: %zu matches in %.1f ms\n", matched,
                (monotonic_seconds() - start) * 1e3);

    if (own_folder) std::filesystem::remove_all(folder);
    return 0;
}
