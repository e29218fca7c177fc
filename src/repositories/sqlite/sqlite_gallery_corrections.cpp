#include "repositories/sqlite/sqlite_gallery_corrections.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "repositories/record_checks.h"
#include "repositories/sqlite/sqlite_database.h"
#include "repositories/sqlite/sqlite_person_rows.h"
#include "repositories/sqlite/sqlite_statement.h"

#include <algorithm>

namespace faceid {

// person_exists and settle_primary: the same rules as SqlitePersonRepository after removing faces.
using sqlite_rows::person_exists;
using sqlite_rows::settle_primary;

namespace {

// After the source is gone (its external id is then free): the target takes the fields over.
void carry_over(SqliteConnection& connection, const std::string& target_id,
                const FaceTransfer::CarriedOver& fields) {
    SqliteStatement metadata(connection, "UPDATE persons SET metadata = ?2 WHERE id = ?1");
    metadata.bind(1, target_id)
        .bind(2, fields.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .run();
    if (!fields.external_id) return;
    SqliteStatement external_id(connection,
                                "UPDATE persons SET external_id = ?2 WHERE id = ?1 AND external_id IS NULL "
                                "AND NOT EXISTS (SELECT 1 FROM persons WHERE external_id = ?2)");
    external_id.bind(1, target_id).bind(2, *fields.external_id).run();
}

}  // namespace

SqliteGalleryCorrections::SqliteGalleryCorrections(std::shared_ptr<SqliteDatabase> database)
    : database_(std::move(database)) {
    if (!database_) throw Error(ErrorCode::kInternal, "SqliteGalleryCorrections needs a database");
}

bool SqliteGalleryCorrections::pin_primary(const std::string& person_id, const std::string& face_id) {
    return database_->write([&](SqliteConnection& connection) {
        SqliteStatement update(connection,
                               "UPDATE persons SET primary_face_id = ?2, updated_at = ?3 WHERE id = ?1 AND "
                               "EXISTS (SELECT 1 FROM faces WHERE id = ?2 AND person_id = ?1)");
        update.bind(1, person_id).bind(2, face_id).bind(3, now_ms()).run();
        if (connection.changes() == 0) return false;
        SqliteStatement pin(connection,
                            "INSERT OR REPLACE INTO primary_pins (person_id, face_id) VALUES (?1, ?2)");
        pin.bind(1, person_id).bind(2, face_id).run();
        return true;
    });
}

std::optional<std::string> SqliteGalleryCorrections::pinned_primary(const std::string& person_id) {
    return database_->read([&](SqliteConnection& connection) -> std::optional<std::string> {
        SqliteStatement select(connection,
                               "SELECT p.primary_face_id FROM persons p JOIN primary_pins pin "
                               "ON pin.person_id = p.id AND pin.face_id = p.primary_face_id WHERE p.id = ?1");
        select.bind(1, person_id);
        if (!select.step()) return std::nullopt;
        return select.column_text(0);
    });
}

void SqliteGalleryCorrections::transfer_faces(const FaceTransfer& transfer) {
    check_face_transfer(transfer);
    database_->write([&](SqliteConnection& connection) {
        if (!person_exists(connection, transfer.from_person_id))
            throw Error(ErrorCode::kNotFound, "No person with this id.",
                        {{"person_id", transfer.from_person_id}});
        if (transfer.new_person) {
            const PersonRecord& person = *transfer.new_person;
            if (person.external_id) {
                SqliteStatement taken(connection, "SELECT 1 FROM persons WHERE external_id = ?1");
                taken.bind(1, *person.external_id);
                if (taken.step())
                    throw Error(ErrorCode::kConflict, "external_id is already used by another person",
                                {{"field", "external_id"}});
            }
            const int64_t now = now_ms();
            // The primary is set below, once the faces it names exist.
            SqliteStatement insert(connection,
                                   "INSERT INTO persons (id, name, external_id, metadata, primary_face_id, "
                                   "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?5)");
            insert.bind(1, person.id)
                .bind(2, person.name)
                .bind(3, person.external_id)
                .bind(4, person.metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                .bind(5, person.created_at_ms ? person.created_at_ms : now)
                .run();
        } else if (!person_exists(connection, transfer.to_person_id)) {
            throw Error(ErrorCode::kNotFound, "No person with this id.",
                        {{"person_id", transfer.to_person_id}});
        }
        for (const std::string& dropped : transfer.dropped_face_ids) {
            SqliteStatement remove(connection, "DELETE FROM faces WHERE id = ?1 AND person_id IN (?2, ?3)");
            remove.bind(1, dropped).bind(2, transfer.from_person_id).bind(3, transfer.to_person_id).run();
        }
        for (const FaceMove& move : transfer.moves) {
            // A copy of the row under the new label: the embedding and files stay as they are.
            SqliteStatement copy(
                connection,
                "INSERT INTO faces (id, label, person_id, embedding, quality, quality_score, "
                "box, landmarks, photo_key, crop_key, created_at) SELECT ?1, ?2, ?3, "
                "embedding, quality, quality_score, box, landmarks, photo_key, crop_key, "
                "created_at FROM faces WHERE id = ?4 AND person_id = ?5");
            copy.bind(1, face_id_from_label(move.new_label))
                .bind(2, int64_t(move.new_label))
                .bind(3, transfer.to_person_id)
                .bind(4, move.face_id)
                .bind(5, transfer.from_person_id)
                .run();
            if (connection.changes() == 0)
                throw Error(ErrorCode::kConflict, "This face is no longer one of the person's faces.",
                            {{"face_id", move.face_id}});
            SqliteStatement remove(connection, "DELETE FROM faces WHERE id = ?1");
            remove.bind(1, move.face_id).run();
        }
        // The photos a person was registered with stay theirs for an import re-run (see photo_history).
        SqliteStatement history(
            connection,
            "INSERT OR IGNORE INTO photo_history (photo_key, person_id) SELECT photo_key, "
            "person_id FROM faces WHERE person_id = ?1");
        history.bind(1, transfer.to_person_id).run();
        if (transfer.target_primary) {
            SqliteStatement update(connection,
                                   "UPDATE persons SET primary_face_id = ?2 WHERE id = ?1 AND EXISTS "
                                   "(SELECT 1 FROM faces WHERE id = ?2 AND person_id = ?1)");
            update.bind(1, transfer.to_person_id).bind(2, *transfer.target_primary).run();
            if (connection.changes() == 0)
                throw Error(ErrorCode::kInternal, "the target's primary is not one of its faces");
        }
        SqliteStatement touch(connection, "UPDATE persons SET updated_at = ?2 WHERE id = ?1");
        touch.bind(1, transfer.to_person_id).bind(2, now_ms()).run();
        settle_primary(connection, transfer.to_person_id);
        settle_primary(connection, transfer.from_person_id);
        if (transfer.carried_over) carry_over(connection, transfer.to_person_id, *transfer.carried_over);
    });
}

void SqliteGalleryCorrections::keep_apart(const std::string& person_a, const std::string& person_b) {
    const auto [a, b] = std::minmax(person_a, person_b);
    database_->write([&](SqliteConnection& connection) {
        if (!person_exists(connection, a) || !person_exists(connection, b))
            throw Error(ErrorCode::kNotFound, "No person with this id.",
                        {{"person_id", person_exists(connection, a) ? b : a}});
        SqliteStatement insert(connection,
                               "INSERT OR IGNORE INTO kept_apart (person_a, person_b, created_at) "
                               "VALUES (?1, ?2, ?3)");
        insert.bind(1, a).bind(2, b).bind(3, now_ms()).run();
    });
}

std::vector<std::pair<std::string, std::string>> SqliteGalleryCorrections::kept_apart_pairs() {
    return database_->read([](SqliteConnection& connection) {
        SqliteStatement select(connection, "SELECT person_a, person_b FROM kept_apart");
        std::vector<std::pair<std::string, std::string>> pairs;
        while (select.step()) pairs.emplace_back(select.column_text(0), select.column_text(1));
        return pairs;
    });
}

}  // namespace faceid
