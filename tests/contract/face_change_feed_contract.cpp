#include "contract/face_change_feed_contract.h"

#include "support/test_records.h"

#include <set>

namespace faceid::testing {

TEST_P(FaceChangeFeedContract, ReportsAnotherWritersAddsAndDeletesOnce) {
    PersonRepository& writer = harness_->writer();
    FaceChangeFeed& follower = harness_->follower();

    PersonRecord before = make_person("Before");
    FaceRecord before_face = make_face(before.id, 1);
    writer.create_person(before, before_face);

    auto stream = follower.open_change_stream();
    PersonRecord alice = make_person("Alice");
    FaceRecord alice_face = make_face(alice.id, 2);
    writer.create_person(alice, alice_face);
    TemplateChange change;
    change.added = make_face(alice.id, 3);
    writer.add_template(change);

    std::set<uint64_t> added;
    FaceChanges changes = stream->poll(nullptr);
    for (const auto& face : changes.added) {
        added.insert(face.label);
        if (face.label == alice_face.label) expect_same_face(face, alice_face);
    }
    // Rows from before the stream was opened may be reported again (the window); the new ones must be.
    EXPECT_TRUE(added.count(alice_face.label));
    EXPECT_TRUE(added.count(change.added.label));
    EXPECT_TRUE(changes.removed.empty());

    EXPECT_TRUE(stream->poll(nullptr).empty()) << "a change is reported once";

    // Faces the caller already knows are not fetched again.
    TemplateChange known;
    known.added = make_face(alice.id, 4);
    writer.add_template(known);
    EXPECT_TRUE(stream->poll([&](uint64_t label) { return label == known.added.label; }).empty());

    writer.delete_face(change.added.id);
    writer.delete_person(before.id);
    changes = stream->poll(nullptr);
    EXPECT_TRUE(changes.added.empty());
    EXPECT_EQ(std::set<uint64_t>(changes.removed.begin(), changes.removed.end()),
              (std::set<uint64_t>{change.added.label, before_face.label}));
    EXPECT_TRUE(stream->poll(nullptr).empty());
}

}  // namespace faceid::testing
