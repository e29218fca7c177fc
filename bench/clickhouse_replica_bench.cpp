// What a replica's start-up costs over ClickHouse: bulk-loads N synthetic faces (one person per two faces)
// into a fresh database, then starts a "replica" the way `faceid serve` does (repository, change stream,
// flat index, Gallery::load_index) and reports the load time and the memory it took. Prints figures;
// never fails on time. The last line is key=value.
//
//   scripts/clickhouse-test-server.sh start      # prints FACEID_TEST_CLICKHOUSE_URL=...
//   FACEID_CLICKHOUSE_URL=http://127.0.0.1:PORT build/release/bench/bench_clickhouse_replica [faces=200000]
//   [index=flat]
//
// The database (faceid_bench_<random>) is dropped at the end.
#include "core/clock.h"
#include "core/ids.h"
#include "repositories/clickhouse/clickhouse_face_rows.h"
#include "repositories/clickhouse/clickhouse_person_repository.h"
#include "repositories/files/file_photo_store.h"
#include "repositories/index/index_factory.h"
#include "services/gallery.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

namespace {

using namespace faceid;

// Resident memory of this process in MiB (VmRSS).
double rss_mib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

std::string clickhouse_url() {
    for (const char* name : {"FACEID_CLICKHOUSE_URL", "FACEID_TEST_CLICKHOUSE_URL"})
        if (const char* value = std::getenv(name); value && *value) return value;
    return "http://127.0.0.1:8123";
}

// One synthetic face (random unit embedding, placeholder photo keys) of face number i.
FaceRecord bench_face(const std::string& person_id, int64_t i, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    FaceRecord face;
    face.label = random_label();
    face.id = face_id_from_label(face.label);
    face.person_id = person_id;
    face.embedding.resize(kEmbeddingDim);
    for (float& x : face.embedding) x = normal(rng);
    l2_normalize(face.embedding);
    face.quality = {{"sharpness", 250.5}, {"detection_score", 0.98}, {"score", 0.87}};
    face.quality_score = 0.87;
    face.box = {100, 120, 280, 340};
    face.landmarks = {150, 200, 230, 200, 190, 250, 160, 300, 220, 300};
    face.photo_key = random_hex(32) + ".jpg";
    face.crop_key = random_hex(32) + ".png";
    face.created_at_ms = 1'700'000'000'000 + i;
    return face;
}

}  // namespace

int main(int argc, char** argv) {
    const int64_t faces = argc > 1 ? std::atoll(argv[1]) : 200'000;
    const std::string index_kind = argc > 2 ? argv[2] : "flat";
    ClickHouseSettings settings;
    settings.url = clickhouse_url();
    settings.database = "faceid_bench_" + random_hex(4);
    settings.timeout_seconds = 600;
    std::printf("ClickHouse %s, database %s, %lld faces, index %s\n", settings.url.c_str(),
                settings.database.c_str(), static_cast<long long>(faces), index_kind.c_str());

    // ---- bulk load: RowBinary blocks of 20,000 faces, persons after their faces ----
    double insert_seconds = 0;
    {
        ClickHousePersonRepository schema(settings);  // creates the database and tables
        const ClickHouseClient& client = schema.client();
        std::mt19937 rng(7);
        VersionClock clock;
        const double start = monotonic_seconds();
        constexpr int64_t kBlock = 20'000;
        for (int64_t first = 0; first < faces; first += kBlock) {
            RowBinaryWriter face_rows, person_rows;
            std::string person_id;
            for (int64_t i = first; i < std::min(faces, first + kBlock); ++i) {
                if (i % 2 == 0) person_id = new_person_id();
                const FaceRecord face = bench_face(person_id, i, rng);
                write_face_row(face_rows, face, clock.next(), false);
                if (i % 2 == 0)
                    person_rows.string(person_id)
                        .string("Bench person " + std::to_string(i / 2))
                        .nullable_string("bench-" + std::to_string(i / 2))
                        .string(R"({"department":"bench"})")
                        .nullable_string(face.id)
                        .i64(face.created_at_ms)
                        .i64(face.created_at_ms)
                        .u64(clock.next())
                        .u8(0);
            }
            client.insert(kFaceTable, face_rows.bytes());
            client.insert(
                "persons (id, name, external_id, metadata, primary_face_id, created_at, updated_at, version, "
                "deleted)",
                person_rows.bytes());
        }
        insert_seconds = monotonic_seconds() - start;
        std::printf("inserted %lld faces in %.1f s (%.0f faces/s)\n", static_cast<long long>(faces),
                    insert_seconds, double(faces) / insert_seconds);
    }

    // ---- replica start-up, as in `faceid serve` ----
    const double rss_before = rss_mib();
    const double start = monotonic_seconds();
    ClickHousePersonRepository persons(settings);
    auto stream = persons.open_change_stream();
    const auto photos_dir = std::filesystem::temp_directory_path() / settings.database;
    FilePhotoStore photos(photos_dir);
    IndexConfig index_config;
    index_config.kind = index_kind;
    auto index = make_vector_index(index_config);
    Gallery gallery({persons, persons, persons, persons}, photos, *index);
    const IndexLoadStats loaded = gallery.load_index();
    const double startup_seconds = monotonic_seconds() - start;
    const double rss_after = rss_mib();
    std::printf(
        "replica start-up: %lld faces in %.2f s (load_index %.2f s), RSS %.0f -> %.0f MiB, index %.0f MiB\n",
        static_cast<long long>(loaded.faces), startup_seconds, loaded.seconds, rss_before, rss_after,
        double(index->memory_bytes()) / (1024.0 * 1024.0));

    // The first poll after the load re-reads the window (recent versions) and skips the faces the index has;
    // the next one, with nothing new, still re-reads every change of the last window_us before the newest
    // version (here: much of the bulk load). The steady cost every replica pays each interval is measured
    // after one more registration once the load is older than the window.
    auto known = [&](uint64_t label) { return gallery.contains(label); };
    auto timed_poll = [&] {
        const double poll_start = monotonic_seconds();
        stream->poll(known);
        return (monotonic_seconds() - poll_start) * 1000;
    };
    const double first_poll_ms = timed_poll();
    const double window_poll_ms = timed_poll();
    std::printf(
        "change-feed poll: first after load %.1f ms, next (window still holds the load) %.1f ms; "
        "waiting 31 s for the window to pass\n",
        first_poll_ms, window_poll_ms);
    std::this_thread::sleep_for(std::chrono::seconds(31));
    std::mt19937 rng(8);
    PersonRecord late;
    late.id = new_person_id();
    late.name = "Late person";
    persons.create_person(late, bench_face(late.id, faces, rng));
    timed_poll();
    const double poll_ms = timed_poll();
    std::printf("change-feed poll, steady: idle %.1f ms\n", poll_ms);

    persons.client().query_without_database("DROP DATABASE IF EXISTS " + settings.database);
    std::filesystem::remove_all(photos_dir);
    std::printf(
        "faces=%lld index=%s insert_seconds=%.1f startup_seconds=%.2f load_seconds=%.2f rss_mib=%.0f "
        "rss_growth_mib=%.0f index_mib=%.0f first_poll_ms=%.1f window_poll_ms=%.1f idle_poll_ms=%.1f\n",
        static_cast<long long>(faces), index_kind.c_str(), insert_seconds, startup_seconds, loaded.seconds,
        rss_after, rss_after - rss_before, double(index->memory_bytes()) / (1024.0 * 1024.0), first_poll_ms,
        window_poll_ms, poll_ms);
    return loaded.faces == faces ? 0 : 1;
}
