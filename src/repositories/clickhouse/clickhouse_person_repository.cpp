#include "repositories/clickhouse/clickhouse_person_repository.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "repositories/clickhouse/clickhouse_change_stream.h"
#include "repositories/clickhouse/clickhouse_face_rows.h"
#include "repositories/clickhouse/clickhouse_schema.h"
#include "repositories/clickhouse/clickhouse_sql.h"
#include "repositories/list_cursor.h"
#include "repositories/record_checks.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <limits>
#include <unordered_set>

namespace faceid {
namespace {

// Reads pick the latest version of every row. The SQL is assembled from literals, numbers and
// quote_string() only.
constexpr const char* kPersonColumns =
    "id, name, external_id, metadata, primary_face_id, created_at, updated_at, version";
constexpr const char* kPersonTable =
    "persons (id, name, external_id, metadata, primary_face_id, created_at, updated_at, version, deleted)";

std::string json_text(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json parse_json_column(std::string_view text) {
    auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) throw Error(ErrorCode::kStorageError, "corrupt JSON in ClickHouse");
    return value;
}

// The face a registration or delete leaves as primary: the requested one, else the current one if still
// there, else the best by quality_score (ties: the oldest, then the smallest id), as SQLite does.
std::string settled_primary(const std::vector<FaceRecord>& remaining,
                            const std::optional<std::string>& current) {
    if (current)
        for (const auto& face : remaining)
            if (face.id == *current) return *current;
    const FaceRecord* best = &remaining.front();
    for (const auto& face : remaining) {
        auto key = [](const FaceRecord& f) { return std::tuple(-f.quality_score, f.created_at_ms, f.id); };
        if (key(face) < key(*best)) best = &face;
    }
    return best->id;
}

}  // namespace

ClickHousePersonRepository::ClickHousePersonRepository(ClickHouseSettings settings,
                                                       ClickHouseRepositoryOptions options)
    : client_(std::move(settings)), options_(options) {
    migrate_clickhouse_schema(client_);
    // Start the clock past everything stored, so that this process's rows always supersede older ones even
    // if its wall clock is behind.
    const std::string text = client_.query(
        "SELECT greatest((SELECT max(version) FROM persons), (SELECT max(version) FROM faces)) "
        "FORMAT TabSeparated");
    clock_.observe(std::stoull(text.empty() ? "0" : text));
}

ClickHousePersonRepository::~ClickHousePersonRepository() {
    {
        std::lock_guard lock(compaction_mutex_);
        stopping_ = true;
    }
    compaction_wakeup_.notify_all();
    if (compaction_thread_.joinable()) compaction_thread_.join();
}

// ---- reads ----

std::vector<ClickHousePersonRepository::StoredPerson> ClickHousePersonRepository::select_persons(
    const std::string& key_filter, const std::string& conditions, const std::string& tail,
    FaceCounts counts) {
    // key_filter narrows by id (immutable), so it may be applied before choosing the latest version;
    // conditions on mutable columns (name, external_id) only to the latest row.
    const std::string where = key_filter.empty() ? "" : " WHERE " + key_filter;
    std::string sql = std::string("SELECT ") + kPersonColumns +
                      " FROM persons WHERE (id, version) IN (SELECT id, max(version) FROM persons" + where +
                      " GROUP BY id) AND deleted = 0" + (key_filter.empty() ? "" : " AND " + key_filter) +
                      (conditions.empty() ? "" : " AND " + conditions) + " " + tail + " FORMAT RowBinary";
    const std::string body = client_.query(sql);
    RowBinaryReader reader(body);
    std::vector<StoredPerson> persons;
    while (!reader.at_end()) {
        StoredPerson& stored = persons.emplace_back();
        PersonRecord& person = stored.record;
        person.id = reader.string();
        person.name = reader.string();
        person.external_id = reader.nullable_string();
        person.metadata = parse_json_column(reader.string_view());
        person.primary_face_id = reader.nullable_string();
        person.created_at_ms = reader.i64();
        person.updated_at_ms = reader.i64();
        stored.version = reader.u64();
        clock_.observe(stored.version);
    }
    if (counts == FaceCounts::kFill) fill_derived_fields(persons);
    return persons;
}

std::optional<ClickHousePersonRepository::StoredPerson> ClickHousePersonRepository::stored_person(
    const std::string& id, FaceCounts counts) {
    auto persons = select_persons("id = " + quote_string(id), "", "", counts);
    if (persons.empty()) return std::nullopt;
    return std::move(persons.front());
}

void ClickHousePersonRepository::fill_derived_fields(std::vector<StoredPerson>& persons) {
    if (persons.empty()) return;
    std::vector<std::string> ids;
    for (const auto& p : persons) ids.push_back(p.record.id);
    const std::string in = "person_id IN " + quoted_list(ids);
    const std::string body = client_.query("SELECT person_id, count() FROM faces WHERE " +
                                           live_faces_filter(in) + " GROUP BY person_id FORMAT RowBinary");
    RowBinaryReader reader(body);
    std::unordered_map<std::string, int64_t> counts;
    while (!reader.at_end()) {
        std::string id = reader.string();
        counts[id] = int64_t(reader.u64());
    }
    for (auto& p : persons) p.record.face_count = counts.count(p.record.id) ? counts[p.record.id] : 0;

    const std::string matches_body =
        client_.query("SELECT person_id, max(matched_at) FROM person_matches WHERE " + in +
                      " GROUP BY person_id FORMAT RowBinary");
    RowBinaryReader matches(matches_body);  // reads from matches_body, which must outlive it
    std::unordered_map<std::string, int64_t> matched_at;
    while (!matches.at_end()) {
        std::string id = matches.string();
        matched_at[id] = matches.i64();
    }
    for (auto& p : persons)
        if (auto it = matched_at.find(p.record.id); it != matched_at.end())
            p.record.last_matched_at_ms = it->second;
}

std::vector<std::string> ClickHousePersonRepository::live_person_ids(const std::string& key_filter) {
    std::vector<std::string> ids;
    for (auto& stored : select_persons(key_filter, "", "", FaceCounts::kSkip))
        ids.push_back(stored.record.id);
    return ids;
}

std::vector<ClickHousePersonRepository::StoredFace> ClickHousePersonRepository::select_faces(
    const std::string& filter) {
    const std::string body =
        client_.query(std::string("SELECT ") + kFaceColumns + ", version FROM faces WHERE " +
                      live_faces_filter(filter) + " FORMAT RowBinary");
    RowBinaryReader reader(body);
    std::vector<StoredFace> faces;
    while (!reader.at_end()) {
        StoredFace& stored = faces.emplace_back();
        read_face_row(reader, stored.record);
        stored.version = reader.u64();
        clock_.observe(stored.version);
    }
    return faces;
}

std::vector<ClickHousePersonRepository::StoredFace> ClickHousePersonRepository::live_faces_of(
    const std::string& person_id) {
    auto faces = select_faces("person_id = " + quote_string(person_id));
    std::sort(faces.begin(), faces.end(), [](const StoredFace& a, const StoredFace& b) {
        return std::tie(a.record.created_at_ms, a.record.id) < std::tie(b.record.created_at_ms, b.record.id);
    });
    return faces;
}

std::optional<PersonRecord> ClickHousePersonRepository::get_person(const std::string& id) {
    auto stored = stored_person(id, FaceCounts::kFill);
    if (!stored) return std::nullopt;
    return std::move(stored->record);
}

std::optional<PersonRecord> ClickHousePersonRepository::find_by_external_id(const std::string& external_id) {
    auto persons =
        select_persons("", "external_id = " + quote_string(external_id), "ORDER BY created_at, id LIMIT 1");
    if (persons.empty()) return std::nullopt;
    return std::move(persons.front().record);
}

std::vector<PersonRecord> ClickHousePersonRepository::get_persons(const std::vector<std::string>& ids) {
    if (ids.empty()) return {};
    std::vector<PersonRecord> out;
    for (auto& stored : select_persons("id IN " + quoted_list(ids), ""))
        out.push_back(std::move(stored.record));
    return out;
}

PersonPage ClickHousePersonRepository::list_persons(const PersonQuery& query) {
    if (query.limit < 1 || query.limit > 1000)
        throw Error(ErrorCode::kInvalidField, "limit must be between 1 and 1000", {{"field", "limit"}});
    std::string key_filter;
    if (!query.cursor.empty()) {
        const auto [created_at, id] = decode_list_cursor(query.cursor);
        // created_at never changes, so it may narrow the rows before the latest version is chosen.
        key_filter = "(created_at, id) > (" + std::to_string(created_at) + ", " + quote_string(id) + ")";
    }
    std::string conditions;
    if (query.name_contains && !query.name_contains->empty())
        conditions = "positionCaseInsensitiveUTF8(name, " + quote_string(*query.name_contains) + ") > 0";
    auto stored = select_persons(key_filter, conditions,
                                 "ORDER BY created_at, id LIMIT " + std::to_string(query.limit + 1));
    PersonPage page;
    for (auto& s : stored) page.persons.push_back(std::move(s.record));
    if (page.persons.size() > size_t(query.limit)) {
        page.persons.pop_back();
        const PersonRecord& last = page.persons.back();
        page.next_cursor = encode_list_cursor(last.created_at_ms, last.id);
    }
    return page;
}

std::optional<FaceRecord> ClickHousePersonRepository::get_face(const std::string& face_id) {
    const auto label = label_from_face_id(face_id);
    if (!label) return std::nullopt;
    auto faces = select_faces("label = " + std::to_string(*label));
    if (faces.empty()) return std::nullopt;
    return std::move(faces.front().record);
}

std::vector<FaceRecord> ClickHousePersonRepository::faces_of(const std::string& person_id) {
    std::vector<FaceRecord> out;
    for (auto& stored : live_faces_of(person_id)) out.push_back(std::move(stored.record));
    return out;
}

void ClickHousePersonRepository::for_each_face(const std::function<void(const FaceRecord&)>& fn) {
    // Labels are uniform random 63-bit numbers, so equal label ranges hold about equal numbers of faces,
    // and the table's sort order (label) makes each range a contiguous read.
    const std::string rows_text = client_.query("SELECT count() FROM faces FORMAT TabSeparated");
    const uint64_t rows = std::stoull(rows_text.empty() ? "0" : rows_text);
    const uint64_t chunk = uint64_t(std::max(1, options_.load_chunk_faces));
    const uint64_t ranges = std::max<uint64_t>(1, (rows + chunk - 1) / chunk);
    const uint64_t step = (uint64_t(1) << 63) / ranges + 1;
    auto fetch = [this, step, ranges](uint64_t i) {
        const uint64_t low = i * step;
        std::string filter = "label >= " + std::to_string(low);
        if (i + 1 < ranges) filter += " AND label < " + std::to_string(low + step);
        return client_.query(std::string("SELECT ") + kFaceColumns + " FROM faces WHERE " +
                             live_faces_filter(filter) + " FORMAT RowBinary");
    };
    std::future<std::string> next = std::async(std::launch::async, fetch, 0);
    FaceRecord face;
    for (uint64_t i = 0; i < ranges; ++i) {
        const std::string body = next.get();
        if (i + 1 < ranges) next = std::async(std::launch::async, fetch, i + 1);
        RowBinaryReader reader(body);
        while (!reader.at_end()) {
            read_face_row(reader, face);
            fn(face);
        }
    }
}

int64_t ClickHousePersonRepository::count_persons() {
    const std::string text = client_.query(
        "SELECT count() FROM persons WHERE (id, version) IN (SELECT id, max(version) FROM persons GROUP BY "
        "id) "
        "AND deleted = 0 FORMAT TabSeparated");
    return std::stoll(text);
}

int64_t ClickHousePersonRepository::count_faces() {
    const std::string text =
        client_.query("SELECT count() FROM faces WHERE " + live_faces_filter("1") + " FORMAT TabSeparated");
    return std::stoll(text);
}

// ---- writes (serialised within this process by write_mutex_) ----

void ClickHousePersonRepository::check_external_id_free(const std::optional<std::string>& external_id,
                                                        const std::string& person_id) {
    if (!external_id) return;
    auto holders = select_persons(
        "", "external_id = " + quote_string(*external_id) + " AND id != " + quote_string(person_id),
        "LIMIT 1", FaceCounts::kSkip);
    if (!holders.empty())
        throw Error(ErrorCode::kConflict, "external_id is already used by another person",
                    {{"field", "external_id"}});
}

void ClickHousePersonRepository::write_person(const PersonRecord& person, uint64_t version, bool deleted) {
    RowBinaryWriter row;
    row.string(person.id)
        .string(person.name)
        .nullable_string(person.external_id)
        .string(json_text(person.metadata))
        .nullable_string(person.primary_face_id)
        .i64(person.created_at_ms)
        .i64(person.updated_at_ms)
        .u64(version)
        .u8(deleted ? 1 : 0);
    client_.insert(kPersonTable, row.bytes());
}

void ClickHousePersonRepository::create_person(const PersonRecord& person, const FaceRecord& first_face) {
    check_person_id(person.id);
    if (!first_face.person_id.empty() && first_face.person_id != person.id)
        throw Error(ErrorCode::kInternal, "the first face belongs to another person");
    check_face(first_face);
    std::lock_guard lock(write_mutex_);
    check_external_id_free(person.external_id, person.id);  // ids are random: no check of the id itself

    FaceRecord face = first_face;
    face.id = face_id_from_label(face.label);
    face.person_id = person.id;
    if (!face.created_at_ms) face.created_at_ms = now_ms();
    PersonRecord stored = person;
    stored.primary_face_id = face.id;
    if (!stored.created_at_ms) stored.created_at_ms = now_ms();
    if (!stored.updated_at_ms) stored.updated_at_ms = stored.created_at_ms;

    // The face first: a reader may then see a face without its person (skipped everywhere), never a
    // person without faces.
    RowBinaryWriter faces;
    write_face_row(faces, face, clock_.next(), /*deleted=*/false);
    client_.insert(kFaceTable, faces.bytes());
    remember_photo(face.photo_key, person.id);
    write_person(stored, clock_.next(), /*deleted=*/false);
}

void ClickHousePersonRepository::add_template(const TemplateChange& change) {
    const std::string& person_id = change.added.person_id;
    check_person_id(person_id);
    check_face(change.added);
    std::lock_guard lock(write_mutex_);
    auto person = stored_person(person_id);
    if (!person) throw Error(ErrorCode::kNotFound, "the person no longer exists", {{"person_id", person_id}});

    // Work out the whole change before writing anything, so that a change that cannot be applied
    // changes nothing.
    FaceRecord added = change.added;
    added.id = face_id_from_label(added.label);
    if (!added.created_at_ms) added.created_at_ms = now_ms();
    const std::unordered_set<std::string> dropping(change.dropped_face_ids.begin(),
                                                   change.dropped_face_ids.end());
    std::vector<StoredFace> dropped;
    std::vector<FaceRecord> remaining;
    for (auto& stored : live_faces_of(person_id)) {
        if (dropping.count(stored.record.id))
            dropped.push_back(std::move(stored));
        else
            remaining.push_back(std::move(stored.record));
    }
    remaining.push_back(added);
    if (change.new_primary_face_id &&
        std::none_of(remaining.begin(), remaining.end(),
                     [&](const FaceRecord& f) { return f.id == *change.new_primary_face_id; }))
        throw Error(ErrorCode::kConflict, "the new primary face is not one of the person's faces",
                    {{"face_id", *change.new_primary_face_id}});
    const std::string primary = settled_primary(
        remaining, change.new_primary_face_id ? change.new_primary_face_id : person->record.primary_face_id);

    // The new face and the tombstones of the dropped ones in one INSERT (one block, visible at once).
    RowBinaryWriter faces;
    write_face_row(faces, added, clock_.next(), false);
    for (const auto& face : dropped) write_face_row(faces, face.record, clock_.next(face.version + 1), true);
    client_.insert(kFaceTable, faces.bytes());
    remember_photo(added.photo_key, person_id);
    if (person->record.primary_face_id != primary) {
        PersonRecord updated = person->record;
        updated.primary_face_id = primary;
        write_person(updated, clock_.next(person->version + 1), false);
    }
}

bool ClickHousePersonRepository::update_person(const PersonRecord& person) {
    std::lock_guard lock(write_mutex_);
    auto stored = stored_person(person.id);
    if (!stored) return false;
    check_external_id_free(person.external_id, person.id);
    PersonRecord updated = stored->record;
    updated.name = person.name;
    updated.external_id = person.external_id;
    updated.metadata = person.metadata;
    updated.updated_at_ms = person.updated_at_ms ? person.updated_at_ms : now_ms();
    write_person(updated, clock_.next(stored->version + 1), false);
    return true;
}

std::vector<FaceRecord> ClickHousePersonRepository::delete_person(const std::string& id) {
    std::lock_guard lock(write_mutex_);
    auto person = stored_person(id);
    if (!person) return {};
    auto faces = live_faces_of(id);
    // The person first: a reader then never sees a person whose faces are partly gone.
    write_person(person->record, clock_.next(person->version + 1), /*deleted=*/true);
    std::vector<FaceRecord> removed;
    if (!faces.empty()) {
        RowBinaryWriter tombstones;
        for (const auto& face : faces)
            write_face_row(tombstones, face.record, clock_.next(face.version + 1), true);
        client_.insert(kFaceTable, tombstones.bytes());
    }
    for (auto& face : faces) removed.push_back(std::move(face.record));
    return removed;
}

std::optional<FaceRecord> ClickHousePersonRepository::delete_face(const std::string& face_id) {
    const auto label = label_from_face_id(face_id);
    if (!label) return std::nullopt;
    std::lock_guard lock(write_mutex_);
    auto found = select_faces("label = " + std::to_string(*label));
    if (found.empty()) return std::nullopt;
    StoredFace face = std::move(found.front());
    auto person = stored_person(face.record.person_id);
    std::vector<FaceRecord> remaining;
    for (auto& other : live_faces_of(face.record.person_id))
        if (other.record.label != face.record.label) remaining.push_back(std::move(other.record));

    if (person && remaining.empty()) write_person(person->record, clock_.next(person->version + 1), true);
    RowBinaryWriter tombstone;
    write_face_row(tombstone, face.record, clock_.next(face.version + 1), true);
    client_.insert(kFaceTable, tombstone.bytes());
    if (person && !remaining.empty()) {
        const std::string primary = settled_primary(remaining, person->record.primary_face_id);
        if (primary != person->record.primary_face_id) {
            PersonRecord updated = person->record;
            updated.primary_face_id = primary;
            write_person(updated, clock_.next(person->version + 1), false);
        }
    }
    return std::move(face.record);
}

}  // namespace faceid
