#pragma once
// The contract every PersonRepository must keep (the tests are in person_repository_contract.cpp). An
// implementation joins by providing a factory of fresh, empty repositories and instantiating the suite
// in its own .cpp in tests/contract/ (see sqlite_person_repository_contract.cpp):
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, PersonRepositoryContract,
//                            ::testing::Values(PersonRepositoryFactory{"sqlite", make_sqlite_harness}),
//                            PersonRepositoryContract::name_of);
//
// An implementation that needs a server may GTEST_SKIP() from its factory when the server is absent.
// A test binary outside tests/contract can join by compiling person_repository_contract.cpp as well.
#include "contract/test_records.h"
#include "repositories/person_repository.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace faceid::testing {

// Owns one empty repository and whatever it needs (a temp folder, a database, a server connection).
class PersonRepositoryHarness {
  public:
    virtual ~PersonRepositoryHarness() = default;
    virtual PersonRepository& repository() = 0;
};

struct PersonRepositoryFactory {
    std::string name;  // letters, digits and _ only (it becomes part of the test name)
    std::function<std::unique_ptr<PersonRepositoryHarness>()> make;
};

inline void PrintTo(const PersonRepositoryFactory& factory, std::ostream* out) {
    *out << factory.name;
}

class PersonRepositoryContract : public ::testing::TestWithParam<PersonRepositoryFactory> {
  public:
    static std::string name_of(const ::testing::TestParamInfo<PersonRepositoryFactory>& info) {
        return info.param.name;
    }

  protected:
    void SetUp() override {
        harness_ = GetParam().make();
        if (!harness_ && !IsSkipped()) FAIL() << "the factory made no repository";
    }
    void TearDown() override { harness_.reset(); }
    PersonRepository& repo() { return harness_->repository(); }

    // Creates a person with one face and returns both as stored.
    std::pair<PersonRecord, FaceRecord> add_person(const std::string& name,
                                                   std::optional<std::string> external_id = std::nullopt,
                                                   int64_t created_at_ms = 1'700'000'000'000) {
        PersonRecord person = make_person(name, std::move(external_id), created_at_ms);
        FaceRecord face = make_face(person.id, ++seed_, 0.5, created_at_ms);
        repo().create_person(person, face);
        return {person, face};
    }

    // Adds a template; make_primary sets the new face as the person's primary in the same change.
    FaceRecord add_face(const std::string& person_id, double quality_score, bool make_primary = false,
                        std::vector<std::string> dropped = {}) {
        TemplateChange change;
        uint64_t seed = ++seed_;
        change.added = make_face(person_id, seed, quality_score, 1'700'000'000'000 + int64_t(seed));
        if (make_primary) change.new_primary_face_id = change.added.id;
        change.dropped_face_ids = std::move(dropped);
        repo().add_template(change);
        return change.added;
    }

    std::set<std::string> face_ids_of(const std::string& person_id) {
        std::set<std::string> ids;
        for (const FaceRecord& face : repo().faces_of(person_id)) ids.insert(face.id);
        return ids;
    }

    std::unique_ptr<PersonRepositoryHarness> harness_;
    uint64_t seed_ = 1000;
};

}  // namespace faceid::testing
