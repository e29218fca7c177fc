// The contracts of the person jobs beside PersonRepository: PhotoReferences (bulk import, file reclaiming),
// RetentionQueries and MatchLog. Same fixture as person_repository_contract.cpp: the records are created
// through the backend's PersonRepository and read back through the job's interface.
#include "contract/person_repository_contract.h"

#include <algorithm>
#include <set>

namespace faceid::testing {

namespace {
constexpr int64_t kDay = 24LL * 3600 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000;
}  // namespace

TEST_P(RetentionQueriesContract, RemoveTemplatesNeverRemovesThePrimaryNorOtherPersonsFaces) {
    auto [person, primary] = add_person("Retained");
    FaceRecord a = add_face(person.id, 0.9);
    FaceRecord b = add_face(person.id, 0.2);
    auto [other, other_face] = add_person("Other");

    auto removed =
        retention().remove_templates(person.id, {primary.id, b.id, other_face.id, "f0000000000000001"});
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].id, b.id);
    expect_same_face(removed[0], b);
    EXPECT_EQ(face_ids_of(person.id), (std::set<std::string>{primary.id, a.id}));
    EXPECT_EQ(repo().get_person(person.id)->primary_face_id, primary.id);
    EXPECT_TRUE(repo().get_face(other_face.id));
    EXPECT_TRUE(retention().remove_templates(person.id, {}).empty());
    EXPECT_TRUE(retention().remove_templates(person.id, {primary.id}).empty())
        << "the last face is the primary";
    EXPECT_EQ(repo().count_faces(), 3);
}

TEST_P(RetentionQueriesContract, PersonsForRetentionFindsOldNonPrimaryTemplatesAndLargePersons) {
    auto [old_primary_only, f1] = add_person("Old primary only", std::nullopt, kT0 - 100 * kDay);
    auto [with_old_template, f2] = add_person("Has old template", std::nullopt, kT0);
    TemplateChange change;
    change.added = make_face(with_old_template.id, 4242, 0.3, kT0 - 50 * kDay);
    repo().add_template(change);
    auto [large, f3] = add_person("Large", std::nullopt, kT0);
    add_face(large.id, 0.4);
    add_face(large.id, 0.5);
    auto [fresh, f4] = add_person("Fresh", std::nullopt, kT0);

    const auto by_age = retention().persons_for_retention(kT0 - 10 * kDay, 0);
    EXPECT_EQ(std::set<std::string>(by_age.begin(), by_age.end()),
              (std::set<std::string>{with_old_template.id}))
        << "a primary alone never qualifies by age";
    const auto by_count = retention().persons_for_retention(0, 2);
    EXPECT_EQ(std::set<std::string>(by_count.begin(), by_count.end()), (std::set<std::string>{large.id}));
    const auto both = retention().persons_for_retention(kT0 - 10 * kDay, 2);
    EXPECT_EQ(std::set<std::string>(both.begin(), both.end()),
              (std::set<std::string>{with_old_template.id, large.id}));
    EXPECT_TRUE(retention().persons_for_retention(0, 0).empty());
}

TEST_P(MatchLogContract, RecordedMatchesKeepPersonsActive) {
    auto [idle, f1] = add_person("Idle", std::nullopt, kT0 - 100 * kDay);
    auto [matched, f2] = add_person("Matched", std::nullopt, kT0 - 100 * kDay);
    auto [recent, f3] = add_person("Recent", std::nullopt, kT0);
    EXPECT_FALSE(repo().get_person(matched.id)->last_matched_at_ms);

    matches().record_matches({{matched.id, kT0 - 5 * kDay}, {new_person_id(), kT0}});
    matches().record_matches({{matched.id, kT0 - 20 * kDay}});  // older: ignored
    EXPECT_EQ(repo().get_person(matched.id)->last_matched_at_ms, kT0 - 5 * kDay);

    const auto inactive = retention().inactive_persons(kT0 - 10 * kDay);
    EXPECT_EQ(std::set<std::string>(inactive.begin(), inactive.end()), (std::set<std::string>{idle.id}));
    // A new template counts as activity too.
    TemplateChange change;
    change.added = make_face(idle.id, 777, 0.3, kT0 - 1 * kDay);
    repo().add_template(change);
    EXPECT_TRUE(retention().inactive_persons(kT0 - 10 * kDay).empty());
}

TEST_P(PhotoReferencesContract, FacesWithPhotoFindsEveryFaceOfThoseBytes) {
    auto [a, fa] = add_person("A");
    auto [b, fb] = add_person("B");
    const auto faces = references().faces_with_photo(fa.photo_key);
    std::set<std::string> ids;
    for (const auto& f : faces) {
        EXPECT_EQ(f.photo_key, fa.photo_key);
        ids.insert(f.id);
    }
    EXPECT_TRUE(ids.count(fa.id));
    EXPECT_EQ(ids.count(fb.id), fb.photo_key == fa.photo_key ? 1u : 0u);
    EXPECT_TRUE(references().faces_with_photo(std::string(64, '9') + ".png").empty());
}

TEST_P(PhotoReferencesContract, PersonsWithPhotoRemembersDroppedTemplatesUntilThePersonGoes) {
    auto [person, primary] = add_person("Remembered");
    FaceRecord dropped_later = add_face(person.id, 0.3);
    add_face(person.id, 0.4, false, {dropped_later.id});  // drops it for the template limit
    auto [other, other_face] = add_person("Other");
    ASSERT_FALSE(repo().get_face(dropped_later.id));
    auto ids = references().persons_with_photo(dropped_later.photo_key);
    EXPECT_NE(std::find(ids.begin(), ids.end(), person.id), ids.end());
    ids = references().persons_with_photo(primary.photo_key);
    EXPECT_NE(std::find(ids.begin(), ids.end(), person.id), ids.end());
    EXPECT_TRUE(references().persons_with_photo(std::string(64, '9') + ".png").empty());

    repo().delete_person(person.id);
    ids = references().persons_with_photo(dropped_later.photo_key);
    EXPECT_EQ(std::find(ids.begin(), ids.end(), person.id), ids.end());
}

TEST_P(PhotoReferencesContract, BlobReferencesFollowTheStoredFaces) {
    auto [person, face] = add_person("Keys");
    EXPECT_TRUE(references().is_blob_referenced(face.photo_key));
    EXPECT_TRUE(references().is_blob_referenced(face.crop_key));
    EXPECT_FALSE(references().is_blob_referenced(std::string(64, '9') + ".jpg"));

    // A second face cut from the same photo shares its photo key but has its own crop.
    TemplateChange change;
    change.added = make_face(person.id, 999, 0.4);
    change.added.photo_key = face.photo_key;
    change.added.crop_key = std::string(64, '7') + ".png";
    repo().add_template(change);
    repo().delete_face(face.id);
    EXPECT_TRUE(references().is_blob_referenced(face.photo_key)) << "still used by the second face";
    EXPECT_FALSE(references().is_blob_referenced(face.crop_key));
    EXPECT_TRUE(references().is_blob_referenced(change.added.crop_key));
    repo().delete_person(person.id);
    EXPECT_FALSE(references().is_blob_referenced(face.photo_key));
    EXPECT_FALSE(references().is_blob_referenced(change.added.crop_key));
}

}  // namespace faceid::testing
