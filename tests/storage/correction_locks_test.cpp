// CorrectionService (merge, move) on a real SQLite backend: it takes registration's per-person locks, so
// a registration adding a template at the same moment waits instead of counting from the same faces (which
// could leave the person over the template limit); and a merge keeps the target's fields and fills what
// the target lacks from the source.
#include "repositories/files/file_photo_store.h"
#include "repositories/index/index_factory.h"
#include "repositories/sqlite/sqlite_backend.h"
#include "services/correction_service.h"
#include "services/gallery.h"
#include "services/person_locks.h"
#include "support/test_records.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>

namespace faceid::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class CorrectionLocksTest : public ::testing::Test {
  protected:
    CorrectionLocksTest() : photos_(dir_ / "photos"), backend_(dir_) {
        IndexConfig config;
        config.kind = "flat";
        index_ = make_vector_index(config);
        gallery_ = std::make_unique<Gallery>(backend_.person_stores(), photos_, *index_);
        corrections_ = std::make_unique<CorrectionService>(*gallery_, backend_.corrections(),
                                                           /*max_templates=*/3, locks_);
    }
    ~CorrectionLocksTest() override {
        corrections_.reset();
        gallery_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    PersonRecord enrol(PersonRecord person) {
        gallery_->create_person(person, make_face(person.id, ++seed_));
        return person;
    }

    fs::path dir_ = make_temp_dir("faceid-correction-locks");
    FilePhotoStore photos_;
    SqliteBackend backend_;
    std::unique_ptr<VectorIndex> index_;
    std::unique_ptr<Gallery> gallery_;
    PersonLocks locks_;  // registration's, in the server
    std::unique_ptr<CorrectionService> corrections_;
    uint64_t seed_ = 10;
};

// A registration holding the target's lock (between reading its faces and writing the new template)
// holds a merge into that person back until it is done, and a move likewise.
TEST_F(CorrectionLocksTest, MergeAndMoveWaitForARegistrationHoldingThePersonsLock) {
    const auto ada = enrol(make_person("Ada"));
    const auto twin = enrol(make_person("Twin"));
    {
        auto registering = locks_.lock(ada.id);
        auto merge = std::async(std::launch::async, [&] { return corrections_->merge(ada.id, twin.id); });
        EXPECT_EQ(merge.wait_for(300ms), std::future_status::timeout) << "the merge did not wait";
        registering.unlock();
        ASSERT_EQ(merge.wait_for(10s), std::future_status::ready);
        EXPECT_EQ(merge.get().person.face_count, 2);
    }
    const auto bob = enrol(make_person("Bob"));
    const auto face = gallery_->persons().faces_of(ada.id).front();
    {
        auto registering = locks_.lock(bob.id);  // the target of the move
        MoveTarget target;
        target.person_id = bob.id;
        auto move = std::async(std::launch::async, [&] { return corrections_->move_face(face.id, target); });
        EXPECT_EQ(move.wait_for(300ms), std::future_status::timeout) << "the move did not wait";
        registering.unlock();
        ASSERT_EQ(move.wait_for(10s), std::future_status::ready);
        EXPECT_EQ(move.get().person.face_count, 2);
    }
    // Two persons whose ids share a stripe, or a person locked against itself, take one mutex once.
    auto both = locks_.lock_both(ada.id, ada.id);
    SUCCEED();
}

TEST_F(CorrectionLocksTest, MergeKeepsTheTargetsFieldsAndFillsWhatItLacksFromTheSource) {
    auto target = make_person("Ada");
    target.metadata = {{"department", "R&D"}, {"badge", 42}};
    target = enrol(target);
    auto source = make_person("Ada L.", "EMP-7");
    source.metadata = {{"department", "Sales"}, {"phone", "555-0100"}};
    source = enrol(source);

    const auto merged = corrections_->merge(target.id, source.id);
    EXPECT_FALSE(merged.from_person.has_value()) << "the source is gone";
    EXPECT_EQ(merged.person.name, "Ada") << "the target's name stays";
    EXPECT_EQ(merged.person.external_id, "EMP-7") << "the target had none: the source's carries over";
    const nlohmann::json expected = {{"department", "R&D"}, {"badge", 42}, {"phone", "555-0100"}};
    EXPECT_EQ(merged.person.metadata, expected) << "the target's values win; missing keys are filled";
    const auto stored = gallery_->persons().get_person(target.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->external_id, "EMP-7");
    EXPECT_EQ(stored->metadata, expected);
    EXPECT_EQ(gallery_->persons().find_by_external_id("EMP-7")->id, target.id);

    // A target with its own external id keeps it.
    auto other = enrol(make_person("Carl", "EMP-9"));
    auto dupe = enrol(make_person("Carl B.", "EMP-10"));
    const auto kept = corrections_->merge(other.id, dupe.id);
    EXPECT_EQ(kept.person.external_id, "EMP-9");
    EXPECT_FALSE(gallery_->persons().find_by_external_id("EMP-10")) << "the source's id went with it";
}

}  // namespace
}  // namespace faceid::testing
