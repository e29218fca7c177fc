// The PersonRepository contract, part 2: what bulk import and the retention policy rely on
// (faces_with_photo, record_matches, persons_for_retention, inactive_persons, remove_templates). Same
// fixture as person_repository_contract.cpp, so every implementation that joins the suite runs these too.
#include "contract/person_repository_contract.h"

#include <algorithm>
#include <set>

namespace faceid::testing {

namespace {
constexpr int64_t kDay = 24LL * 3600 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000;
}  // namespace

TEST_P(PersonRepositoryContract, RemoveTemplatesNeverRemovesThePrimaryNorOtherPersonsFaces) {
    auto [person, primary] = add_person("Retained");
    FaceRecord a = add_face(person.id, 0.9);
    FaceRecord b = add_face(person.id, 0.2);
    auto [other, other_face] = add_person("Other");

    auto removed = repo().remove_templates(person.id, {primary.id, b.id, other_face.id, "f0000000000000001"});
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].id, b.id);
    expect_same_face(removed[0], b);
    EXPECT_EQ(face_ids_of(person.id), (std::set<std::string>{primary.id, a.id}));
    EXPECT_EQ(repo().get_person(person.id)->primary_face_id, primary.id);
    EXPECT_TRUE(repo().get_face(other_face.id));
    EXPECT_TRUE(repo().remove_templates(person.id, {}).empty());
    EXPECT_TRUE(repo().remove_templates(person.id, {primary.id}).empty()) << "the last face is the primary";
    EXPECT_EQ(repo().count_faces(), 3);
}

TEST_P(PersonRepositoryContract, PersonsForRetentionFindsOldNonPrimaryTemplatesAndLargePersons) {
    auto [old_primary_only, f1] = add_person("Old primary only", std::nullopt, kT0 - 100 * kDay);
    auto [with_old_template, f2] = add_person("Has old template", std::nullopt, kT0);
    TemplateChange change;
    change.added = make_face(with_old_template.id, 4242, 0.3, kT0 - 50 * kDay);
    repo().add_template(change);
    auto [large, f3] = add_person("Large", std::nullopt, kT0);
    add_face(large.id, 0.4);
    add_face(large.id, 0.5);
    auto [fresh, f4] = add_person("Fresh", std::nullopt, kT0);

    const auto by_age = repo().persons_for_retention(kT0 - 10 * kDay, 0);
    EXPECT_EQ(std::set<std::string>(by_age.begin(), by_age.end()),
              (std::set<std::string>{with_old_template.id}))
        << "a primary alone never qualifies by age";
    const auto by_count = repo().persons_for_retention(0, 2);
    EXPECT_EQ(std::set<std::string>(by_count.begin(), by_count.end()), (std::set<std::string>{large.id}));
    const auto both = repo().persons_for_retention(kT0 - 10 * kDay, 2);
    EXPECT_EQ(std::set<std::string>(both.begin(), both.end()),
              (std::set<std::string>{with_old_template.id, large.id}));
    EXPECT_TRUE(repo().persons_for_retention(0, 0).empty());
}

TEST_P(PersonRepositoryContract, RecordedMatchesKeepPersonsActive) {
    auto [idle, f1] = add_person("Idle", std::nullopt, kT0 - 100 * kDay);
    auto [matched, f2] = add_person("Matched", std::nullopt, kT0 - 100 * kDay);
    auto [recent, f3] = add_person("Recent", std::nullopt, kT0);
    EXPECT_FALSE(repo().get_person(matched.id)->last_matched_at_ms);

    repo().record_matches({{matched.id, kT0 - 5 * kDay}, {new_person_id(), kT0}});
    repo().record_matches({{matched.id, kT0 - 20 * kDay}});  // older: ignored
    EXPECT_EQ(repo().get_person(matched.id)->last_matched_at_ms, kT0 - 5 * kDay);

    const auto inactive = repo().inactive_persons(kT0 - 10 * kDay);
    EXPECT_EQ(std::set<std::string>(inactive.begin(), inactive.end()), (std::set<std::string>{idle.id}));
    // A new template counts as activity too.
    TemplateChange change;
    change.added = make_face(idle.id, 777, 0.3, kT0 - 1 * kDay);
    repo().add_template(change);
    EXPECT_TRUE(repo().inactive_persons(kT0 - 10 * kDay).empty());
}

TEST_P(PersonRepositoryContract, FacesWithPhotoFindsEveryFaceOfThoseBytes) {
    auto [a, fa] = add_person("A");
    auto [b, fb] = add_person("B");
    const auto faces = repo().faces_with_photo(fa.photo_key);
    std::set<std::string> ids;
    for (const auto& f : faces) {
        EXPECT_EQ(f.photo_key, fa.photo_key);
        ids.insert(f.id);
    }
    EXPECT_TRUE(ids.count(fa.id));
    EXPECT_EQ(ids.count(fb.id), fb.photo_key == fa.photo_key ? 1u : 0u);
    EXPECT_TRUE(repo().faces_with_photo(std::string(64, '9') + ".png").empty());
}

TEST_P(PersonRepositoryContract, PersonsWithPhotoRemembersDroppedTemplatesUntilThePersonGoes) {
    auto [person, primary] = add_person("Remembered");
    FaceRecord dropped_later = add_face(person.id, 0.3);
    add_face(person.id, 0.4, false, {dropped_later.id});  // drops it for the template limit
    auto [other, other_face] = add_person("Other");
    ASSERT_FALSE(repo().get_face(dropped_later.id));
    auto ids = repo().persons_with_photo(dropped_later.photo_key);
    EXPECT_NE(std::find(ids.begin(), ids.end(), person.id), ids.end());
    ids = repo().persons_with_photo(primary.photo_key);
    EXPECT_NE(std::find(ids.begin(), ids.end(), person.id), ids.end());
    EXPECT_TRUE(repo().persons_with_photo(std::string(64, '9') + ".png").empty());

    repo().delete_person(person.id);
    ids = repo().persons_with_photo(dropped_later.photo_key);
    EXPECT_EQ(std::find(ids.begin(), ids.end(), person.id), ids.end());
}

}  // namespace faceid::testing
