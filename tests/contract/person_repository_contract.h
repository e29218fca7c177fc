#pragma once
// The contracts of the person jobs (repositories/person_stores.h), one TEST_P suite per interface over one
// fixture: PersonRepositoryContract (person_repository_contract.cpp) and PhotoReferencesContract,
// RetentionQueriesContract, MatchLogContract (person_jobs_contract.cpp). A backend joins by providing a
// factory of fresh, empty stores and instantiating all four in its own .cpp (see
// sqlite_person_repository_contract.cpp):
//
//   FACEID_INSTANTIATE_PERSON_JOB_CONTRACTS(Sqlite, (PersonStoresFactory{"sqlite", make_sqlite_harness}));
//
// An implementation that needs a server may GTEST_SKIP() from its factory when the server is absent.
// A test binary outside tests/contract can join by compiling the two contract .cpp files as well.
#include "repositories/person_stores.h"
#include "support/test_records.h"

#include "support/contract_fixture.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace faceid::testing {

// Owns one empty set of person stores and whatever they need (a temp folder, a database, a server
// connection).
class PersonStoresHarness {
  public:
    virtual ~PersonStoresHarness() = default;
    virtual PersonStores stores() = 0;
};

using PersonStoresFactory = HarnessFactory<PersonStoresHarness>;

class PersonStoresFixture : public ContractFixture<PersonStoresHarness> {
  protected:
    PersonRepository& repo() { return harness_->stores().persons; }
    PhotoReferences& references() { return harness_->stores().photo_references; }
    RetentionQueries& retention() { return harness_->stores().retention; }
    MatchLog& matches() { return harness_->stores().matches; }

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

    uint64_t seed_ = 1000;
};

// One suite per interface, so that a failure names the job that broke.
class PersonRepositoryContract : public PersonStoresFixture {};
class PhotoReferencesContract : public PersonStoresFixture {};
class RetentionQueriesContract : public PersonStoresFixture {};
class MatchLogContract : public PersonStoresFixture {};

}  // namespace faceid::testing

// Instantiates the four suites for one backend; factory is a parenthesised PersonStoresFactory.
#define FACEID_INSTANTIATE_PERSON_JOB_CONTRACTS(prefix, factory)                          \
    INSTANTIATE_TEST_SUITE_P(prefix, PersonRepositoryContract, ::testing::Values factory, \
                             PersonStoresFixture::name_of);                               \
    INSTANTIATE_TEST_SUITE_P(prefix, PhotoReferencesContract, ::testing::Values factory,  \
                             PersonStoresFixture::name_of);                               \
    INSTANTIATE_TEST_SUITE_P(prefix, RetentionQueriesContract, ::testing::Values factory, \
                             PersonStoresFixture::name_of);                               \
    INSTANTIATE_TEST_SUITE_P(prefix, MatchLogContract, ::testing::Values factory,         \
                             PersonStoresFixture::name_of)
