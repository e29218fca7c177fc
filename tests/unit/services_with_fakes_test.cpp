// Unit tests of the services over the in-memory person stores (tests/support/in_memory_person_stores.h,
// which passes the storage contract suites), a real file photo store in a temp folder and the exact flat
// index: the services' own rules, without a database or the face models.
#include "core/error.h"
#include "repositories/files/file_photo_store.h"
#include "repositories/index/flat_index.h"
#include "services/gallery.h"
#include "services/person_service.h"
#include "services/retention_service.h"
#include "support/in_memory_person_stores.h"
#include "support/test_records.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

namespace faceid::testing {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000;

Embedding unit_vector(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal;
    Embedding v(kEmbeddingDim);
    double norm = 0;
    for (float& x : v) {
        x = normal(rng);
        norm += double(x) * x;
    }
    for (float& x : v) x = float(x / std::sqrt(norm));
    return v;
}

// A vector at cosine `similarity` from `to` (both unit length).
Embedding near(const Embedding& to, double similarity, uint64_t seed) {
    Embedding noise = unit_vector(seed);
    double dot = 0;
    for (size_t i = 0; i < to.size(); ++i) dot += double(noise[i]) * to[i];
    double norm = 0;
    for (size_t i = 0; i < to.size(); ++i) norm += std::pow(noise[i] - dot * to[i], 2);
    Embedding out(to.size());
    const double side = std::sqrt(1 - similarity * similarity) / std::sqrt(norm);
    for (size_t i = 0; i < to.size(); ++i)
        out[i] = float(similarity * to[i] + side * (noise[i] - dot * to[i]));
    return out;
}

class ServicesWithFakes : public ::testing::Test {
  protected:
    ServicesWithFakes()
        : dir_(make_temp_dir("faceid-service-fakes")),
          photos_(dir_ / "photos"),
          index_(kEmbeddingDim),
          gallery_(stores_.stores(), photos_, index_) {}
    ~ServicesWithFakes() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    // A face whose photo and crop are real files in the photo store (unique bytes per seed).
    FaceRecord stored_face(const std::string& person_id, uint64_t seed, const Embedding& embedding,
                           double quality_score, int64_t created_at_ms) {
        FaceRecord face = make_face(person_id, seed, quality_score, created_at_ms);
        face.embedding = embedding;
        face.photo_key = photos_.put("photo-" + std::to_string(seed), "jpg");
        face.crop_key = photos_.put("crop-" + std::to_string(seed), "png");
        return face;
    }

    std::pair<PersonRecord, FaceRecord> enrol(const std::string& name, const Embedding& embedding,
                                              int64_t created_at_ms = kT0) {
        PersonRecord person = make_person(name, std::nullopt, created_at_ms);
        FaceRecord face = stored_face(person.id, ++seed_, embedding, 0.5, created_at_ms);
        gallery_.create_person(person, face);
        return {person, face};
    }

    FaceRecord add_template(const std::string& person_id, const Embedding& embedding, double quality_score,
                            int64_t created_at_ms = kT0) {
        TemplateChange change;
        change.added = stored_face(person_id, ++seed_, embedding, quality_score, created_at_ms);
        gallery_.add_template(change);
        return change.added;
    }

    std::filesystem::path dir_;
    InMemoryPersonStores stores_;
    FilePhotoStore photos_;
    index::FlatIndex index_;
    Gallery gallery_;
    uint64_t seed_ = 100;
};

TEST_F(ServicesWithFakes, GallerySearchGroupsTemplatesByPersonAndFollowsDeletes) {
    const Embedding alice = unit_vector(1), bob = unit_vector(2);
    auto [a, a_first] = enrol("Alice", alice);
    const FaceRecord a_second = add_template(a.id, near(alice, 0.9, 11), 0.7);
    auto [b, b_first] = enrol("Bob", bob);

    auto matches = gallery_.search(near(alice, 0.95, 12), 5, 0.0);
    ASSERT_EQ(matches.size(), 2u) << "one entry per person, not per template";
    EXPECT_EQ(matches[0].person.id, a.id);
    EXPECT_EQ(matches[0].person.face_count, 2);
    EXPECT_GT(matches[0].similarity, 0.9);
    EXPECT_EQ(matches[1].person.id, b.id);
    EXPECT_TRUE(gallery_.search(near(alice, 0.95, 12), 5, 0.99).empty()) << "min_similarity filters";

    ASSERT_TRUE(gallery_.delete_face(a_first.id));
    EXPECT_EQ(stores_.get_person(a.id)->primary_face_id, a_second.id) << "the remaining face is primary";
    EXPECT_FALSE(gallery_.contains(a_first.label));
    EXPECT_FALSE(photos_.exists(a_first.photo_key)) << "its files went with it";
    ASSERT_TRUE(gallery_.delete_person(a.id));
    EXPECT_EQ(gallery_.size(), 1u);
    matches = gallery_.search(alice, 5, 0.0);
    ASSERT_EQ(matches.size(), 1u);
    EXPECT_EQ(matches[0].person.id, b.id);
    EXPECT_FALSE(gallery_.delete_person(a.id)) << "already gone";
}

TEST_F(ServicesWithFakes, GalleryReloadsItsIndexFromTheStoresAndFlushesNotedMatches) {
    auto [a, a_face] = enrol("Alice", unit_vector(1));
    auto [b, b_face] = enrol("Bob", unit_vector(2));
    index::FlatIndex fresh(kEmbeddingDim);
    Gallery restarted(stores_.stores(), photos_, fresh);
    EXPECT_EQ(restarted.load_index().faces, 2);
    EXPECT_EQ(restarted.owner_of(b_face.label), b.id);

    restarted.note_matched({a.id});
    EXPECT_FALSE(stores_.get_person(a.id)->last_matched_at_ms) << "noted in memory first";
    EXPECT_EQ(restarted.flush_matches(), 1u);
    EXPECT_TRUE(stores_.get_person(a.id)->last_matched_at_ms);
    EXPECT_FALSE(stores_.get_person(b.id)->last_matched_at_ms);
}

TEST_F(ServicesWithFakes, SharedPhotoFilesAreReclaimedOnlyWhenTheLastFaceGoes) {
    auto [a, a_face] = enrol("Alice", unit_vector(1));
    // A second person cut from the same group photo: same photo key, its own crop.
    PersonRecord b = make_person("Bob");
    FaceRecord b_face = stored_face(b.id, 999, unit_vector(2), 0.5, kT0);
    photos_.remove(b_face.photo_key);
    b_face.photo_key = a_face.photo_key;
    gallery_.create_person(b, b_face);

    const Removal removed = gallery_.remove_person(a.id);
    EXPECT_EQ(removed.faces.size(), 1u);
    EXPECT_TRUE(photos_.exists(a_face.photo_key)) << "Bob's face still uses the photo";
    EXPECT_FALSE(photos_.exists(a_face.crop_key));
    EXPECT_GT(removed.bytes_reclaimed, 0u);
    gallery_.remove_person(b.id);
    EXPECT_FALSE(photos_.exists(a_face.photo_key));
    EXPECT_EQ(photos_.bytes_used(), 0u);
}

TEST_F(ServicesWithFakes, RetentionRemovesExactlyWhatItsDryRunReportedAndNeverAPrimary) {
    const Embedding alice = unit_vector(1);
    auto [a, primary] = enrol("Alice", alice, kT0 - 400 * kDay);
    const FaceRecord old_good = add_template(a.id, near(alice, 0.9, 3), 0.9, kT0 - 300 * kDay);
    const FaceRecord old_poor = add_template(a.id, near(alice, 0.9, 4), 0.1, kT0 - 300 * kDay);
    const FaceRecord recent = add_template(a.id, near(alice, 0.9, 5), 0.2, kT0 - 1 * kDay);
    auto [idle, idle_face] = enrol("Idle", unit_vector(2), kT0 - 400 * kDay);
    auto [busy, busy_face] = enrol("Busy", unit_vector(3), kT0 - 400 * kDay);
    stores_.record_matches({{busy.id, kT0 - 2 * kDay}});

    RetentionPolicy policy;
    policy.max_age_days = 180;
    policy.keep_best = 1;
    policy.inactive_days = 90;
    std::vector<CleanupReport> sunk;
    RetentionService retention(gallery_, policy,
                               [&](const CleanupReport& report) { sunk.push_back(report); });

    const CleanupReport dry = retention.run(/*dry_run=*/true, kT0);
    std::set<std::string> planned;
    for (const auto& t : dry.templates) planned.insert(t.face_id);
    // The best template by quality (keep_best 1) and the primary stay; the old poor one goes.
    EXPECT_TRUE(planned.count(old_poor.id));
    EXPECT_FALSE(planned.count(old_good.id));
    EXPECT_FALSE(planned.count(primary.id));
    EXPECT_FALSE(planned.count(recent.id));
    EXPECT_EQ(dry.persons, std::vector<std::string>{idle.id}) << "Busy was matched recently";
    EXPECT_EQ(stores_.count_faces(), 6) << "a dry run changes nothing";
    EXPECT_EQ(dry.bytes_reclaimed, 0u);

    const CleanupReport run = retention.run(/*dry_run=*/false, kT0);
    std::set<std::string> removed;
    for (const auto& t : run.templates) removed.insert(t.face_id);
    EXPECT_EQ(removed, planned);
    EXPECT_EQ(run.persons, dry.persons);
    for (const auto& id : removed) {
        EXPECT_FALSE(stores_.get_face(id)) << id;
        EXPECT_FALSE(gallery_.contains(*label_from_face_id(id))) << "the index follows";
    }
    EXPECT_TRUE(stores_.get_face(primary.id));
    EXPECT_TRUE(stores_.get_face(recent.id));
    EXPECT_FALSE(stores_.get_person(idle.id));
    EXPECT_GT(run.bytes_reclaimed, 0u);
    EXPECT_EQ(sunk.size(), 2u) << "the sink hears both runs";
    EXPECT_TRUE(retention.run(false, kT0).templates.empty()) << "a second run finds nothing more";
}

TEST_F(ServicesWithFakes, PersonUpdatesFollowTheFieldRules) {
    PersonService service(gallery_);
    auto [a, a_face] = enrol("Alice", unit_vector(1));
    auto [b, b_face] = enrol("Bob", unit_vector(2));

    PersonUpdate rename;
    rename.name = "Alicia";
    EXPECT_EQ(service.update(a.id, rename).name, "Alicia");
    EXPECT_EQ(service.get(a.id).metadata, a.metadata) << "fields not given stay";

    PersonUpdate badge;
    badge.has_external_id = true;
    badge.external_id = "B-7";
    EXPECT_EQ(service.update(b.id, badge).external_id, "B-7");
    try {
        service.update(a.id, badge);
        FAIL() << "a taken external_id must be refused";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::kConflict);
    }
    PersonUpdate clear;
    clear.has_external_id = true;
    EXPECT_FALSE(service.update(b.id, clear).external_id) << "an absent value clears it";

    PersonUpdate empty_name;
    empty_name.name = "";
    EXPECT_THROW(service.update(a.id, empty_name), Error);
    EXPECT_THROW(service.update(new_person_id(), rename), Error);
    EXPECT_EQ(service.get_with_faces(a.id).faces.size(), 1u);
    EXPECT_EQ(service.primary_photo_key(a.id), a_face.photo_key);
}

// An update reads the whole record and writes it back: it waits for the person's lock, which a merge or a
// registration holds while it changes the person, so that it cannot write back what they replaced.
TEST_F(ServicesWithFakes, PersonUpdatesWaitForThePersonsLock) {
    PersonLocks locks;
    PersonService service(gallery_, &locks);
    auto [a, a_face] = enrol("Alice", unit_vector(1));
    PersonUpdate rename;
    rename.name = "Alicia";
    auto held = locks.lock(a.id);
    std::thread patch([&] { service.update(a.id, rename); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(service.get(a.id).name, "Alice") << "the update did not wait for the lock";
    held.unlock();
    patch.join();
    EXPECT_EQ(service.get(a.id).name, "Alicia");
}

}  // namespace
}  // namespace faceid::testing
