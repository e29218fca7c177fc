// Adds N synthetic persons (one random unit-vector face each) to a data folder's SQLite store, so that
// bench/http_load.sh can measure searches against a large gallery without registering 100,000 photos
// through the pipeline. The photos they point at do not exist: only for benchmarks.
//
//   build/release/bench/bench_gallery_fill DATA_DIR N
#include "synthetic_records.h"

#include "core/clock.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_repository.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

int main(int argc, char** argv) {
    using namespace faceid;
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s DATA_DIR N\n", argv[0]);
        return 2;
    }
    const std::filesystem::path data = argv[1];
    const int64_t count = std::atoll(argv[2]);
    std::filesystem::create_directories(data);
    SqliteOptions bulk;
    bulk.durable = false;  // a benchmark fixture, not the service's durable path
    SqlitePersonRepository repository(std::make_shared<SqliteDatabase>(data / "faceid.db", bulk));
    const int64_t before = repository.count_faces();
    std::mt19937 rng(uint32_t(before + 11));
    const double start = monotonic_seconds();
    for (int64_t i = 0; i < count; ++i) {
        PersonRecord person = bench::synthetic_person(before + i);
        repository.create_person(person, bench::synthetic_face(person.id, rng));
    }
    std::printf("gallery_fill added=%lld faces=%lld seconds=%.1f\n", static_cast<long long>(count),
                static_cast<long long>(repository.count_faces()), monotonic_seconds() - start);
    return 0;
}
