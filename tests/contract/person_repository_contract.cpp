// The PersonRepository contract: every implementation instantiates this suite (see the header).
#include "contract/person_repository_contract.h"

#include "core/error.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace faceid::testing {

TEST_P(PersonRepositoryContract, CreatedPersonAndFaceReadBackFieldByField) {
    auto [person, face] = add_person("Ada Lovelace", "emp-1");

    auto stored = repo().get_person(person.id);
    ASSERT_TRUE(stored);
    expect_same_person(*stored, person);
    EXPECT_EQ(stored->primary_face_id, face.id);
    EXPECT_EQ(stored->face_count, 1);

    auto by_external = repo().find_by_external_id("emp-1");
    ASSERT_TRUE(by_external);
    EXPECT_EQ(by_external->id, person.id);
    EXPECT_EQ(by_external->face_count, 1);

    auto stored_face = repo().get_face(face.id);
    ASSERT_TRUE(stored_face);
    expect_same_face(*stored_face, face);
    auto faces = repo().faces_of(person.id);
    ASSERT_EQ(faces.size(), 1u);
    expect_same_face(faces[0], face);

    EXPECT_FALSE(repo().get_person(new_person_id()));
    EXPECT_FALSE(repo().find_by_external_id("emp-2"));
    EXPECT_FALSE(repo().get_face(face_id_from_label(random_label())));
    EXPECT_TRUE(repo().faces_of(new_person_id()).empty());
}

TEST_P(PersonRepositoryContract, GetPersonsReturnsExactlyTheKnownIds) {
    auto [a, fa] = add_person("A");
    auto [b, fb] = add_person("B");
    add_person("C");
    auto persons = repo().get_persons({b.id, "p\"]) --", a.id, new_person_id(), a.id});
    std::set<std::string> ids;
    for (const auto& p : persons) {
        ids.insert(p.id);
        EXPECT_EQ(p.face_count, 1);
    }
    EXPECT_EQ(ids, (std::set<std::string>{a.id, b.id}));
    EXPECT_TRUE(repo().get_persons({}).empty());
}

TEST_P(PersonRepositoryContract, TakenExternalIdIsAConflictAndStoresNothing) {
    auto [first, first_face] = add_person("First", "badge-7");
    PersonRecord second = make_person("Second", "badge-7");
    FaceRecord second_face = make_face(second.id, 77);
    EXPECT_EQ(error_code_of([&] { repo().create_person(second, second_face); }), ErrorCode::kConflict);
    EXPECT_FALSE(repo().get_person(second.id));
    EXPECT_FALSE(repo().get_face(second_face.id));
    EXPECT_EQ(repo().count_persons(), 1);
    EXPECT_EQ(repo().count_faces(), 1);
    EXPECT_EQ(repo().find_by_external_id("badge-7")->id, first.id);

    // Persons without an external id never conflict with each other.
    add_person("No badge 1");
    add_person("No badge 2");
    EXPECT_EQ(repo().count_persons(), 3);
}

TEST_P(PersonRepositoryContract, AddTemplateChangesPrimaryAndDropsFacesInOneStep) {
    auto [person, f1] = add_person("Grace");
    FaceRecord f2 = add_face(person.id, 0.9);
    EXPECT_EQ(repo().get_person(person.id)->primary_face_id, f1.id) << "adding alone keeps the primary";
    EXPECT_EQ(repo().get_person(person.id)->face_count, 2);

    FaceRecord f3 = add_face(person.id, 0.7, /*make_primary=*/true, {f1.id});
    auto stored = repo().get_person(person.id);
    EXPECT_EQ(stored->primary_face_id, f3.id);
    EXPECT_EQ(face_ids_of(person.id), (std::set<std::string>{f2.id, f3.id}));
    EXPECT_FALSE(repo().get_face(f1.id));
    expect_same_face(*repo().get_face(f3.id), f3);

    // Dropping the primary without naming a new one: the best remaining face (by quality_score) takes over.
    FaceRecord f4 = add_face(person.id, 0.2, false, {f3.id});
    EXPECT_EQ(repo().get_person(person.id)->primary_face_id, f2.id);
    EXPECT_EQ(face_ids_of(person.id), (std::set<std::string>{f2.id, f4.id}));

    // A change that cannot be applied (its new primary is not one of the person's faces) changes nothing.
    TemplateChange bad;
    bad.added = make_face(person.id, 4242, 0.99);
    bad.dropped_face_ids = {f2.id};
    bad.new_primary_face_id = face_id_from_label(random_label());
    EXPECT_THROW(repo().add_template(bad), Error);
    EXPECT_FALSE(repo().get_face(bad.added.id));
    EXPECT_EQ(face_ids_of(person.id), (std::set<std::string>{f2.id, f4.id}));
    EXPECT_EQ(repo().get_person(person.id)->primary_face_id, f2.id);

    // A template for a person that is gone.
    TemplateChange orphan;
    orphan.added = make_face(new_person_id(), 5, 0.5);
    EXPECT_EQ(error_code_of([&] { repo().add_template(orphan); }), ErrorCode::kNotFound);
    EXPECT_FALSE(repo().get_face(orphan.added.id));
    EXPECT_EQ(repo().count_faces(), 2);
}

TEST_P(PersonRepositoryContract, UpdateChangesFieldsAndRejectsATakenExternalId) {
    auto [alice, alice_face] = add_person("Alice", "A-1");
    auto [bob, bob_face] = add_person("Bob", "B-1");

    PersonRecord changed = alice;
    changed.name = "Alice Liddell";
    changed.external_id = "A-2";
    changed.metadata = {{"note", "moved"}, {"floor", 3}};
    changed.updated_at_ms = alice.updated_at_ms + 5000;
    changed.primary_face_id = "f0000000000000001";  // not updatable through update_person
    ASSERT_TRUE(repo().update_person(changed));
    auto stored = repo().get_person(alice.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->name, "Alice Liddell");
    EXPECT_EQ(stored->external_id, "A-2");
    EXPECT_EQ(stored->metadata, changed.metadata);
    EXPECT_EQ(stored->updated_at_ms, changed.updated_at_ms);
    EXPECT_EQ(stored->created_at_ms, alice.created_at_ms);
    EXPECT_EQ(stored->primary_face_id, alice_face.id);
    EXPECT_FALSE(repo().find_by_external_id("A-1"));
    EXPECT_EQ(repo().find_by_external_id("A-2")->id, alice.id);

    PersonRecord steal = *repo().get_person(bob.id);
    steal.external_id = "A-2";
    steal.name = "Bob the thief";
    EXPECT_EQ(error_code_of([&] { repo().update_person(steal); }), ErrorCode::kConflict);
    EXPECT_EQ(repo().get_person(bob.id)->name, "Bob");
    EXPECT_EQ(repo().get_person(bob.id)->external_id, "B-1");

    // Keeping one's own external id is no conflict; releasing it lets another person take it.
    changed.name = "Alice L.";
    EXPECT_TRUE(repo().update_person(changed));
    changed.external_id = std::nullopt;
    EXPECT_TRUE(repo().update_person(changed));
    EXPECT_FALSE(repo().get_person(alice.id)->external_id);
    EXPECT_TRUE(repo().update_person(steal));
    EXPECT_EQ(repo().find_by_external_id("A-2")->id, bob.id);

    PersonRecord ghost = make_person("Ghost");
    EXPECT_FALSE(repo().update_person(ghost));
    EXPECT_FALSE(repo().get_person(ghost.id));
}

TEST_P(PersonRepositoryContract, DeletePersonReturnsItsFacesAndRemovesThem) {
    auto [person, f1] = add_person("Carol");
    FaceRecord f2 = add_face(person.id, 0.6);
    FaceRecord f3 = add_face(person.id, 0.7);
    auto [other, other_face] = add_person("Dave");

    auto removed = repo().delete_person(person.id);
    std::map<std::string, FaceRecord> by_id;
    for (auto& face : removed) by_id[face.id] = face;
    ASSERT_EQ(by_id.size(), 3u);
    expect_same_face(by_id.at(f1.id), f1);
    expect_same_face(by_id.at(f2.id), f2);
    expect_same_face(by_id.at(f3.id), f3);

    EXPECT_FALSE(repo().get_person(person.id));
    for (const auto& face : {f1, f2, f3}) EXPECT_FALSE(repo().get_face(face.id));
    EXPECT_TRUE(repo().faces_of(person.id).empty());
    EXPECT_EQ(repo().count_persons(), 1);
    EXPECT_EQ(repo().count_faces(), 1);
    expect_same_face(*repo().get_face(other_face.id), other_face);
    EXPECT_TRUE(repo().delete_person(person.id).empty());
}

TEST_P(PersonRepositoryContract, DeleteFaceReassignsPrimaryAndRemovesAPersonWithoutFaces) {
    auto [person, low] = add_person("Erin");  // quality 0.5, primary
    FaceRecord best = add_face(person.id, 0.8);
    FaceRecord middle = add_face(person.id, 0.6);

    auto removed = repo().delete_face(low.id);
    ASSERT_TRUE(removed);
    expect_same_face(*removed, low);
    EXPECT_EQ(repo().get_person(person.id)->primary_face_id, best.id);
    EXPECT_EQ(repo().get_person(person.id)->face_count, 2);

    ASSERT_TRUE(repo().delete_face(middle.id));
    EXPECT_EQ(repo().get_person(person.id)->primary_face_id, best.id) << "a non-primary delete keeps it";
    EXPECT_FALSE(repo().delete_face(middle.id));

    ASSERT_TRUE(repo().delete_face(best.id));
    EXPECT_FALSE(repo().get_person(person.id)) << "the last face took the person with it";
    EXPECT_EQ(repo().count_persons(), 0);
    EXPECT_EQ(repo().count_faces(), 0);
    EXPECT_FALSE(repo().delete_face(face_id_from_label(random_label())));
}

TEST_P(PersonRepositoryContract, ListWalksEveryPersonOnceInOrderWhileOthersAreAdded) {
    const int64_t base = 1'700'000'000'000;
    std::set<std::string> expected;
    for (int i = 0; i < 57; ++i) {
        // Groups of three share a creation time, so the order within a group comes from the id.
        auto [person, face] = add_person("Person " + std::to_string(i), std::nullopt, base + (i / 3) * 1000);
        if (i % 5 == 0) add_face(person.id, 0.4);
        expected.insert(person.id);
    }

    std::vector<PersonRecord> seen;
    PersonQuery query;
    query.limit = 10;
    int pages = 0;
    for (;;) {
        PersonPage page = repo().list_persons(query);
        ++pages;
        EXPECT_LE(page.persons.size(), 10u);
        seen.insert(seen.end(), page.persons.begin(), page.persons.end());
        // Inserts behind and ahead of the walk must neither repeat nor hide anyone who was there before.
        add_person("Late early " + std::to_string(pages), std::nullopt, base - 1);
        add_person("Late middle " + std::to_string(pages), std::nullopt, base + 9000);
        if (page.next_cursor.empty()) break;
        query.cursor = page.next_cursor;
        ASSERT_LT(pages, 100) << "paging does not end";
    }

    std::map<std::string, int> times_seen;
    for (const auto& person : seen) ++times_seen[person.id];
    for (const auto& [id, times] : times_seen) EXPECT_EQ(times, 1) << id;
    for (const auto& id : expected) EXPECT_EQ(times_seen.count(id), 1u) << id << " was skipped";
    for (size_t i = 1; i < seen.size(); ++i) {
        auto key = [](const PersonRecord& p) { return std::pair(p.created_at_ms, p.id); };
        EXPECT_LT(key(seen[i - 1]), key(seen[i])) << "pages are ordered by creation time, then id";
    }
    for (const auto& person : seen) {
        if (!expected.count(person.id)) continue;
        int index = std::stoi(person.name.substr(7));
        EXPECT_EQ(person.face_count, index % 5 == 0 ? 2 : 1) << person.name;
    }

    query = PersonQuery{};
    query.limit = 1000;
    EXPECT_EQ(repo().list_persons(query).persons.size(), size_t(repo().count_persons()));
    EXPECT_TRUE(repo().list_persons(query).next_cursor.empty());
}

TEST_P(PersonRepositoryContract, ListRejectsBadLimitsAndCursors) {
    add_person("Someone");
    PersonQuery query;
    query.limit = 0;
    EXPECT_EQ(error_code_of([&] { repo().list_persons(query); }), ErrorCode::kInvalidField);
    query.limit = 1001;
    EXPECT_EQ(error_code_of([&] { repo().list_persons(query); }), ErrorCode::kInvalidField);
    query.limit = 10;
    for (std::string cursor : {"zz", "abc", "' OR 1=1 --", "00"}) {
        query.cursor = cursor;
        EXPECT_EQ(error_code_of([&] { repo().list_persons(query); }), ErrorCode::kInvalidField) << cursor;
    }
}

TEST_P(PersonRepositoryContract, NameFilterIsCaseInsensitiveAndTakesWildcardsLiterally) {
    for (const char* name : {"Anna Smith", "JOHANNA", "Hana", "100% Real", "1000 Real", "a_b", "axb",
                             "back\\slash", "backslash", "José ÁLVAREZ", "ÉMILE Zola", "Дмитрий ПЕТРОВ"})
        add_person(name);

    auto names_matching = [&](const std::string& needle, int limit = 1000) {
        PersonQuery query;
        query.limit = limit;
        query.name_contains = needle;
        std::set<std::string> names;
        for (;;) {
            PersonPage page = repo().list_persons(query);
            for (const auto& person : page.persons) EXPECT_TRUE(names.insert(person.name).second);
            if (page.next_cursor.empty()) break;
            query.cursor = page.next_cursor;
        }
        return names;
    };
    EXPECT_EQ(names_matching("ann"), (std::set<std::string>{"Anna Smith", "JOHANNA"}));
    EXPECT_EQ(names_matching("ANN", 1), (std::set<std::string>{"Anna Smith", "JOHANNA"}));
    EXPECT_EQ(names_matching("0%"), (std::set<std::string>{"100% Real"}));
    EXPECT_EQ(names_matching("%"), (std::set<std::string>{"100% Real"}));
    EXPECT_EQ(names_matching("_"), (std::set<std::string>{"a_b"}));
    EXPECT_EQ(names_matching("a_b"), (std::set<std::string>{"a_b"}));
    EXPECT_EQ(names_matching("\\"), (std::set<std::string>{"back\\slash"}));
    EXPECT_TRUE(names_matching("nobody").empty());
    // Case-insensitive beyond ASCII, alike on every backend.
    EXPECT_EQ(names_matching("álvarez"), (std::set<std::string>{"José ÁLVAREZ"}));
    EXPECT_EQ(names_matching("JOSÉ"), (std::set<std::string>{"José ÁLVAREZ"}));
    EXPECT_EQ(names_matching("émile"), (std::set<std::string>{"ÉMILE Zola"}));
    EXPECT_EQ(names_matching("петров"), (std::set<std::string>{"Дмитрий ПЕТРОВ"}));
    EXPECT_EQ(names_matching("").size(), 12u) << "an empty filter matches everyone";
}

TEST_P(PersonRepositoryContract, EmbeddingsRoundTripBitExactlyOnEveryReadPath) {
    auto [person, face] = add_person("Bits");
    FaceRecord second = add_face(person.id, 0.1);
    ASSERT_TRUE(bit_equal(repo().get_face(face.id)->embedding, face.embedding));
    for (const auto& stored : repo().faces_of(person.id))
        EXPECT_TRUE(bit_equal(stored.embedding, stored.id == face.id ? face.embedding : second.embedding));
    int visited = 0;
    repo().for_each_face([&](const FaceRecord& stored) {
        ++visited;
        EXPECT_TRUE(bit_equal(stored.embedding, stored.id == face.id ? face.embedding : second.embedding));
    });
    EXPECT_EQ(visited, 2);
    for (const auto& removed : repo().delete_person(person.id))
        EXPECT_TRUE(bit_equal(removed.embedding, removed.id == face.id ? face.embedding : second.embedding));
}

TEST_P(PersonRepositoryContract, ForEachFaceVisitsEveryStoredFaceOnce) {
    std::map<uint64_t, FaceRecord> expected;
    for (int i = 0; i < 40; ++i) {
        auto [person, face] = add_person("Visitor " + std::to_string(i));
        expected[face.label] = face;
        for (int extra = 0; extra < i % 3; ++extra) {
            FaceRecord more = add_face(person.id, 0.1 * extra);
            expected[more.label] = more;
        }
    }
    auto [gone, gone_face] = add_person("Gone");
    repo().delete_person(gone.id);

    std::map<uint64_t, int> visits;
    repo().for_each_face([&](const FaceRecord& face) {
        ++visits[face.label];
        auto it = expected.find(face.label);
        ASSERT_NE(it, expected.end()) << "unexpected face " << face.id;
        expect_same_face(face, it->second);
    });
    EXPECT_EQ(visits.size(), expected.size());
    for (const auto& [label, count] : visits) EXPECT_EQ(count, 1);
    EXPECT_EQ(repo().count_faces(), int64_t(expected.size()));
    EXPECT_EQ(repo().count_persons(), 40);
}

TEST_P(PersonRepositoryContract, ConcurrentWritersAndReadersLoseNothing) {
    constexpr int kThreads = 8;
    constexpr int kPersonsPerThread = 15;
    std::atomic<int> failures{0};
    std::atomic<bool> writing{true};
    std::vector<std::vector<std::pair<std::string, std::set<std::string>>>> written(kThreads);

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                for (int i = 0; i < kPersonsPerThread; ++i) {
                    PersonRecord person = make_person("Writer " + std::to_string(t) + "-" + std::to_string(i),
                                                      "ext-" + std::to_string(t) + "-" + std::to_string(i));
                    FaceRecord first = make_face(person.id, uint64_t(t * 1000 + i), 0.5);
                    repo().create_person(person, first);
                    TemplateChange change;
                    change.added = make_face(person.id, uint64_t(t * 1000 + i + 500), 0.9);
                    change.new_primary_face_id = change.added.id;
                    repo().add_template(change);
                    written[t].push_back({person.id, {first.id, change.added.id}});
                }
            } catch (const std::exception& error) {
                ++failures;
                ADD_FAILURE() << "writer " << t << ": " << error.what();
            }
        });
    }
    std::thread reader([&] {
        try {
            while (writing) {
                PersonQuery query;
                query.limit = 7;
                for (;;) {
                    PersonPage page = repo().list_persons(query);
                    for (const auto& person : page.persons)
                        if (person.face_count < 1) ADD_FAILURE() << "a reader saw a person without faces";
                    if (page.next_cursor.empty()) break;
                    query.cursor = page.next_cursor;
                }
                repo().count_faces();
            }
        } catch (const std::exception& error) {
            ++failures;
            ADD_FAILURE() << "reader: " << error.what();
        }
    });
    for (auto& thread : threads) thread.join();
    writing = false;
    reader.join();
    ASSERT_EQ(failures, 0);

    EXPECT_EQ(repo().count_persons(), kThreads * kPersonsPerThread);
    EXPECT_EQ(repo().count_faces(), 2 * kThreads * kPersonsPerThread);
    for (const auto& per_thread : written) {
        for (const auto& [person_id, face_ids] : per_thread) {
            auto person = repo().get_person(person_id);
            ASSERT_TRUE(person);
            EXPECT_EQ(person->face_count, 2);
            EXPECT_EQ(face_ids_of(person_id), face_ids);
            EXPECT_TRUE(face_ids.count(*person->primary_face_id));
        }
    }
}

}  // namespace faceid::testing
