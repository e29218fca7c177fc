// The GalleryCorrections contract (repositories/gallery_corrections.h): pinned primaries, face transfers
// (merge, "this is not X") and pairs kept apart. Part of the storage backend contract, so every backend of
// app/storage_backends.cpp runs it on a fresh store, through the same bundle the app opens.
#include "contract/storage_backend_contract.h"
#include "support/test_records.h"

#include <algorithm>
#include <set>

namespace faceid::testing {
namespace {

struct Stored {
    PersonRecord person;
    std::vector<FaceRecord> faces;  // faces[0] is the first (primary at creation)
};

// A person with faces of the given quality scores; the first one is the primary.
Stored store_person(PersonRepository& repo, const std::string& name, std::vector<double> qualities,
                    std::optional<std::string> external_id = std::nullopt) {
    static uint64_t seed = 5000;
    Stored out{make_person(name, std::move(external_id)), {}};
    for (size_t i = 0; i < qualities.size(); ++i) {
        const uint64_t face_seed = ++seed;
        FaceRecord face =
            make_face(out.person.id, face_seed, qualities[i], 1'700'000'000'000 + int64_t(face_seed));
        if (i == 0) {
            repo.create_person(out.person, face);
        } else {
            TemplateChange change;
            change.added = face;
            repo.add_template(change);
        }
        out.faces.push_back(face);
    }
    return out;
}

std::set<std::string> ids_of(const std::vector<FaceRecord>& faces) {
    std::set<std::string> ids;
    for (const auto& f : faces) ids.insert(f.id);
    return ids;
}

TEST_P(StorageBackendContract, CorrectionsPinAPrimaryUntilItsFaceGoes) {
    auto backend = open();
    auto& repo = backend->persons();
    auto& corrections = backend->corrections();
    const Stored ada = store_person(repo, "Ada", {0.5, 0.9, 0.7});
    const Stored bob = store_person(repo, "Bob", {0.5});
    EXPECT_EQ(corrections.pinned_primary(ada.person.id), std::nullopt) << "nobody pinned anything yet";

    EXPECT_FALSE(corrections.pin_primary(ada.person.id, bob.faces[0].id)) << "another person's face";
    EXPECT_FALSE(corrections.pin_primary(ada.person.id, "f0000000000000001")) << "an unknown face";
    EXPECT_FALSE(corrections.pin_primary("p0000000000000001", ada.faces[0].id)) << "an unknown person";

    ASSERT_TRUE(corrections.pin_primary(ada.person.id, ada.faces[2].id));
    EXPECT_EQ(repo.get_person(ada.person.id)->primary_face_id, ada.faces[2].id);
    EXPECT_EQ(corrections.pinned_primary(ada.person.id), ada.faces[2].id);
    EXPECT_EQ(corrections.pinned_primary(bob.person.id), std::nullopt);
    // Another process sees the pin (a new bundle on the same store).
    EXPECT_EQ(open()->corrections().pinned_primary(ada.person.id), ada.faces[2].id);

    // Pinning another face moves the pin.
    ASSERT_TRUE(corrections.pin_primary(ada.person.id, ada.faces[0].id));
    EXPECT_EQ(corrections.pinned_primary(ada.person.id), ada.faces[0].id);

    // Deleting the pinned face ends the pin; the best remaining face becomes the primary.
    ASSERT_TRUE(repo.delete_face(ada.faces[0].id));
    EXPECT_EQ(repo.get_person(ada.person.id)->primary_face_id, ada.faces[1].id);
    EXPECT_EQ(corrections.pinned_primary(ada.person.id), std::nullopt);
}

TEST_P(StorageBackendContract, CorrectionsMergeMovesFacesUnderNewLabelsAndDropsTheSource) {
    auto backend = open();
    auto& repo = backend->persons();
    auto& corrections = backend->corrections();
    const Stored into = store_person(repo, "Ada", {0.5, 0.6});
    const Stored from = store_person(repo, "Ada again", {0.9, 0.4, 0.3});

    FaceTransfer plan;
    plan.from_person_id = from.person.id;
    plan.to_person_id = into.person.id;
    plan.moves = {{from.faces[0].id, random_label()}, {from.faces[1].id, random_label()}};
    plan.dropped_face_ids = {from.faces[2].id, into.faces[1].id};  // the template limit
    const std::string new_primary = face_id_from_label(plan.moves[0].new_label);
    plan.target_primary = new_primary;
    corrections.transfer_faces(plan);

    EXPECT_FALSE(repo.get_person(from.person.id)) << "a source without faces is gone";
    const auto person = repo.get_person(into.person.id);
    ASSERT_TRUE(person);
    EXPECT_EQ(person->primary_face_id, new_primary);
    EXPECT_EQ(person->face_count, 3);
    const auto faces = repo.faces_of(into.person.id);
    EXPECT_EQ(ids_of(faces), (std::set<std::string>{into.faces[0].id, new_primary,
                                                    face_id_from_label(plan.moves[1].new_label)}));
    // A moved face is the same template (embedding, files, quality, time) under its new label.
    const auto moved = repo.get_face(new_primary);
    ASSERT_TRUE(moved);
    FaceRecord expected = from.faces[0];
    expected.label = plan.moves[0].new_label;
    expected.id = new_primary;
    expected.person_id = into.person.id;
    expect_same_face(*moved, expected);
    for (const auto& gone : {from.faces[0], from.faces[1], from.faces[2], into.faces[1]})
        EXPECT_FALSE(repo.get_face(gone.id)) << gone.id;
    EXPECT_EQ(repo.count_persons(), 1);
    EXPECT_EQ(repo.count_faces(), 3);
    // The moved photos count as the target's for an import re-run.
    const auto holders =
        backend->person_stores().photo_references.persons_with_photo(from.faces[0].photo_key);
    EXPECT_NE(std::find(holders.begin(), holders.end(), into.person.id), holders.end());
}

// A merge carries fields over in the same change as the faces: the metadata as given, the source's external
// id only to a target that has none.
TEST_P(StorageBackendContract, CorrectionsMergeCarriesFieldsOverInTheSameChange) {
    auto backend = open();
    auto& repo = backend->persons();
    auto& corrections = backend->corrections();
    const Stored into = store_person(repo, "Ada", {0.5});
    const Stored from = store_person(repo, "Ada again", {0.9}, "emp-7");
    const Stored kept = store_person(repo, "Bob", {0.5}, "emp-1");
    const Stored other = store_person(repo, "Bob again", {0.6}, "emp-2");
    const nlohmann::json merged = {{"department", "R&D"}, {"badge", 7}};
    for (const auto& [target, source] : {std::pair{&into, &from}, std::pair{&kept, &other}}) {
        FaceTransfer plan;
        plan.from_person_id = source->person.id;
        plan.to_person_id = target->person.id;
        plan.moves = {{source->faces[0].id, random_label()}};
        plan.carried_over = FaceTransfer::CarriedOver{source->person.external_id, merged};
        corrections.transfer_faces(plan);
        EXPECT_FALSE(repo.get_person(source->person.id));
    }
    const auto ada = repo.get_person(into.person.id);
    ASSERT_TRUE(ada);
    EXPECT_EQ(ada->external_id, "emp-7");
    EXPECT_EQ(ada->metadata, merged);
    EXPECT_EQ(ada->face_count, 2);
    const auto bob = repo.get_person(kept.person.id);
    ASSERT_TRUE(bob);
    EXPECT_EQ(bob->external_id, "emp-1") << "a target's own external id stays";
    EXPECT_EQ(bob->metadata, merged);
    EXPECT_EQ(repo.find_by_external_id("emp-7").value_or(PersonRecord{}).id, into.person.id);
}

TEST_P(StorageBackendContract, CorrectionsMoveOneFaceToANewPersonKeepsTheRestOfTheSource) {
    auto backend = open();
    auto& repo = backend->persons();
    auto& corrections = backend->corrections();
    const Stored source = store_person(repo, "Carol", {0.8, 0.5});  // faces[0] is the primary

    PersonRecord stranger = make_person("Not Carol", std::string("visitor-7"));
    FaceTransfer plan;
    plan.from_person_id = source.person.id;
    plan.to_person_id = stranger.id;
    plan.new_person = stranger;
    plan.moves = {{source.faces[0].id, random_label()}};
    plan.target_primary = face_id_from_label(plan.moves[0].new_label);
    corrections.transfer_faces(plan);

    const auto created = repo.get_person(stranger.id);
    ASSERT_TRUE(created);
    EXPECT_EQ(created->name, "Not Carol");
    EXPECT_EQ(created->external_id, "visitor-7");
    EXPECT_EQ(created->metadata, stranger.metadata);
    EXPECT_EQ(created->primary_face_id, plan.target_primary);
    EXPECT_EQ(created->face_count, 1);
    // The source keeps its other face, which becomes its primary (its old primary left).
    const auto left = repo.get_person(source.person.id);
    ASSERT_TRUE(left);
    EXPECT_EQ(left->face_count, 1);
    EXPECT_EQ(left->primary_face_id, source.faces[1].id);
    EXPECT_EQ(repo.find_by_external_id("visitor-7")->id, stranger.id);
}

TEST_P(StorageBackendContract, CorrectionsRefuseATransferThatNoLongerFitsAndWriteNothing) {
    auto backend = open();
    auto& repo = backend->persons();
    auto& corrections = backend->corrections();
    const Stored a = store_person(repo, "A", {0.5, 0.6});
    const Stored b = store_person(repo, "B", {0.5});

    FaceTransfer plan;
    plan.from_person_id = a.person.id;
    plan.to_person_id = b.person.id;
    plan.moves = {{b.faces[0].id, random_label()}};  // not a face of the source
    try {
        corrections.transfer_faces(plan);
        FAIL() << "moved a face the source does not have";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kConflict);
    }
    plan.moves = {{a.faces[1].id, random_label()}};
    plan.to_person_id = "p0000000000000001";  // gone
    try {
        corrections.transfer_faces(plan);
        FAIL() << "moved a face to an unknown person";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
    PersonRecord taken = make_person("Taken", std::string("ext-1"));
    PersonRecord holder = make_person("Holder", std::string("ext-1"));
    repo.create_person(holder, make_face(holder.id, 77));
    plan.to_person_id = taken.id;
    plan.new_person = taken;
    plan.target_primary = face_id_from_label(plan.moves[0].new_label);
    try {
        corrections.transfer_faces(plan);
        FAIL() << "created a second person with external_id ext-1";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kConflict);
    }
    EXPECT_EQ(ids_of(repo.faces_of(a.person.id)), ids_of(a.faces));
    EXPECT_EQ(ids_of(repo.faces_of(b.person.id)), ids_of(b.faces));
    EXPECT_FALSE(repo.get_person(taken.id));
}

TEST_P(StorageBackendContract, CorrectionsKeepPairsApartUntilAPersonGoes) {
    auto backend = open();
    auto& repo = backend->persons();
    auto& corrections = backend->corrections();
    const Stored a = store_person(repo, "A", {0.5});
    const Stored b = store_person(repo, "B", {0.5});
    const Stored c = store_person(repo, "C", {0.5});
    EXPECT_TRUE(corrections.kept_apart_pairs().empty());
    corrections.keep_apart(b.person.id, a.person.id);
    corrections.keep_apart(a.person.id, b.person.id);  // again, either order: one pair
    corrections.keep_apart(c.person.id, a.person.id);
    auto pairs = corrections.kept_apart_pairs();
    std::sort(pairs.begin(), pairs.end());
    std::vector<std::pair<std::string, std::string>> expected = {std::minmax(a.person.id, b.person.id),
                                                                 std::minmax(a.person.id, c.person.id)};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(pairs, expected);
    try {
        corrections.keep_apart(a.person.id, "p0000000000000001");
        FAIL() << "kept apart from an unknown person";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
    repo.delete_person(c.person.id);
    EXPECT_EQ(open()->corrections().kept_apart_pairs(),
              (std::vector<std::pair<std::string, std::string>>{std::minmax(a.person.id, b.person.id)}));
}

}  // namespace
}  // namespace faceid::testing
