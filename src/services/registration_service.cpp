#include "services/registration_service.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/ids.h"
#include "schemas/face_json.h"
#include "services/uploaded_photo.h"
#include "vision/image_decoder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <thread>

namespace faceid {

RegistrationService::RegistrationService(PipelinePool& pipelines, Gallery& gallery,
                                         RegistrationOptions options)
    : pipelines_(pipelines), gallery_(gallery), options_(options) {}

bool RegistrationService::take_reading_nearer_to(FacePipeline& pipeline, PhotoFaces& photo,
                                                 const PersonRecord& person) {
    const auto templates = gallery_.persons().faces_of(person.id);
    if (templates.empty() || photo.opposite.boxes.empty()) return false;
    auto nearest = [&](const cv::Mat& image, const FaceBox& box) {
        auto face = pipeline.analyze(image, box, false);
        std::vector<AnalyzedFace*> one{&face};
        pipeline.embed(one, pipeline.options().flip_average);
        double best = -1;
        for (const auto& t : templates)
            best = std::max(best, double(cosine_similarity(face.embedding, t.embedding)));
        return best;
    };
    if (nearest(photo.opposite.image, photo.opposite.boxes.front()) >
        nearest(photo.image, photo.boxes.front())) {
        std::swap(photo.image, photo.opposite.image);
        std::swap(photo.boxes, photo.opposite.boxes);
        std::swap(photo.rotation, photo.opposite.rotation);
    }
    return true;
}

RegistrationService::ChosenFace RegistrationService::choose_face(const RegistrationRequest& request,
                                                                 const std::optional<PersonRecord>& person) {
    auto pipeline = pipelines_.acquire();
    auto photo = detect_faces(*pipeline, request.photo);
    // A template must not be stored upside down. A photo on its side whose upright reading is unsure:
    // for a photo added to a known person, the reading nearer to the person's templates is upright (an
    // upside-down face embeds as noise); a new person has nothing to ask, so the photo is refused.
    if (photo.rotation != 0 && !photo.rotation_sure) {
        if (!person || !take_reading_nearer_to(*pipeline, photo, *person))
            throw Error(
                ErrorCode::kOrientationUnclear, "",
                {{"rotations_tried", {photo.rotation, photo.opposite.rotation}},
                 {"advice", "Turn the photo upright (or set its EXIF orientation) and send it again."}});
    }
    if (request.min_detection_score) {
        std::erase_if(photo.boxes,
                      [&](const FaceBox& box) { return box.score < *request.min_detection_score; });
        if (photo.boxes.empty()) throw Error(ErrorCode::kNoFace);
    }
    ChosenFace chosen;
    chosen.faces_seen = int(photo.boxes.size());
    chosen.rotation = photo.rotation;
    chosen.image = photo.image;
    chosen.format = photo.format;
    if (request.face_index) {
        const int index = *request.face_index;
        if (index < 0 || index >= chosen.faces_seen)
            throw Error(ErrorCode::kFaceIndexOutOfRange, "",
                        {{"face_index", index}, {"faces_seen", chosen.faces_seen}});
        chosen.face = pipeline->analyze(photo.image, photo.boxes[index], /*embed=*/false);
        chosen.index = index;
    } else if (person && chosen.faces_seen > 1) {
        // A photo of the person with others (a group, a photo with a friend): the largest face may be
        // someone else's, so take the passing face most like the person's templates.
        const auto templates = gallery_.persons().faces_of(person->id);
        double best_similarity = -2;
        const int tried = std::min(chosen.faces_seen, 20);
        for (int i = 0; i < tried; ++i) {
            auto face = pipeline->analyze(photo.image, photo.boxes[i], /*embed=*/false);
            if (!face.quality.passed()) {
                if (i == 0) chosen.face = std::move(face);  // reported if no face passes
                continue;
            }
            std::vector<AnalyzedFace*> one{&face};
            pipeline->embed(one, pipeline->options().flip_average);
            double similarity = -1;
            for (const auto& t : templates)
                similarity = std::max(similarity, double(cosine_similarity(face.embedding, t.embedding)));
            if (similarity > best_similarity) {
                best_similarity = similarity;
                chosen.face = std::move(face);
                chosen.index = i;
            }
        }
    } else {
        auto best = choose_registration_face(*pipeline, photo);
        chosen.face = std::move(best.face);
        chosen.index = best.index;
    }
    if (!chosen.face.quality.passed())
        throw Error(ErrorCode::kQualityGateFailed,
                    "The face does not meet the quality requirements: " +
                        std::string(quality_reason_name(chosen.face.quality.reasons.front())),
                    {{"reasons", chosen.face.quality.reasons},
                     {"quality", quality_to_json(chosen.face.quality)},
                     {"face_index", chosen.index},
                     {"faces_seen", chosen.faces_seen}});
    pipeline->assess_liveness(photo.image, chosen.face);
    if (options_.require_live && *chosen.face.quality.liveness < options_.live_threshold)
        throw Error(ErrorCode::kNotLive, "",
                    {{"liveness", std::round(*chosen.face.quality.liveness * 1000) / 1000},
                     {"threshold", options_.live_threshold},
                     {"face_index", chosen.index}});
    if (chosen.face.embedding.empty()) {  // (a face chosen by its match to the person is embedded already)
        std::vector<AnalyzedFace*> to_embed{&chosen.face};
        pipeline->embed(to_embed, pipeline->options().flip_average);
    }
    return chosen;
}

FaceRecord RegistrationService::store_face(const ChosenFace& chosen, const std::string& photo,
                                           const std::string& person_id, NewBlobs& blobs) {
    FaceRecord face;
    face.label = random_label();
    face.id = face_id_from_label(face.label);
    face.person_id = person_id;
    face.embedding = chosen.face.embedding;
    face.quality = quality_to_json(chosen.face.quality);
    face.quality_score = chosen.face.quality.score;
    const auto& box = chosen.face.box;
    face.box = {box.x1, box.y1, box.x2, box.y2};
    for (int i = 0; i < 5; ++i) {
        face.landmarks[2 * i] = chosen.face.points[i].x;
        face.landmarks[2 * i + 1] = chosen.face.points[i].y;
    }
    // Files first, durably: the database row that refers to them is written only after they exist.
    face.photo_key = gallery_.photos().put(photo, chosen.format == "jpeg" ? "jpg" : chosen.format);
    blobs.keys.push_back(face.photo_key);
    blobs.crop = face_crop_jpeg(chosen.image, box);
    face.crop_key = gallery_.photos().put(blobs.crop, "jpg");
    blobs.keys.push_back(face.crop_key);
    face.created_at_ms = now_ms();
    return face;
}

RegistrationResult RegistrationService::register_face(const RegistrationRequest& request) {
    if (request.person_id && !is_well_formed_id(*request.person_id, 'p'))
        throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", *request.person_id}});

    // Resolve the target person before the expensive analysis, so an unknown id fails fast.
    std::optional<PersonRecord> existing;
    if (request.person_id) {
        existing = gallery_.persons().get_person(*request.person_id);
        if (!existing)
            throw Error(ErrorCode::kNotFound, "No person with this id.", {{"person_id", *request.person_id}});
    } else if (request.external_id) {
        existing = gallery_.persons().find_by_external_id(*request.external_id);
    }
    if (!existing && (!request.name || request.name->empty()))
        throw Error(ErrorCode::kMissingField, "A name is required to register a new person.",
                    {{"field", "name"}});
    if (request.skip_known_photo)
        if (auto stored = already_stored(request, existing)) return *stored;

    ChosenFace chosen = choose_face(request, existing);
    // A photo added to a known person must show that person: otherwise anyone allowed to register could
    // attach their own face to someone else (and even become their primary photo).
    if (existing && !request.allow_mismatch) check_same_person(*existing, chosen.face.embedding);
    if (!existing) {
        // The analysis took a while: a concurrent registration may have created this external_id meanwhile.
        if (request.external_id) existing = gallery_.persons().find_by_external_id(*request.external_id);
        if (!existing) existing = check_duplicate(request, chosen.face.embedding);
    }
    std::vector<FaceRecord> dropped;
    RegistrationResult result;
    NewBlobs blobs;
    try {
        auto guard = gallery_.guard_new_blobs();  // from writing the files until the rows commit
        result = commit(request, chosen, existing, dropped, blobs);
    } catch (...) {
        // Nothing half-stored: a photo stored for a row that was never written is removed again (unless a
        // row refers to the same bytes). If the store itself failed, the removal is retried later.
        gallery_.discard_new_blobs(blobs.keys);
        throw;
    }
    if (gallery_.shares_blobs() && blobs.keys.size() == 2)
        gallery_.ensure_blobs_after_commit({{blobs.keys[0], request.photo}, {blobs.keys[1], blobs.crop}});
    gallery_.reclaim_blobs(dropped);
    result.quality = chosen.face.quality;
    result.box = chosen.face.box;
    result.faces_seen = chosen.faces_seen;
    result.face_index = chosen.index;
    result.rotation = chosen.rotation;
    return result;
}

RegistrationResult RegistrationService::commit(const RegistrationRequest& request, const ChosenFace& chosen,
                                               const std::optional<PersonRecord>& existing,
                                               std::vector<FaceRecord>& dropped, NewBlobs& blobs) {
    if (existing)
        return add_to_person(*existing, store_face(chosen, request.photo, existing->id, blobs), dropped);

    PersonRecord person;
    person.id = new_person_id();
    person.name = *request.name;
    person.external_id = request.external_id;
    person.metadata = request.metadata.value_or(nlohmann::json::object());
    person.created_at_ms = person.updated_at_ms = now_ms();
    FaceRecord face = store_face(chosen, request.photo, person.id, blobs);
    person.primary_face_id = face.id;
    try {
        gallery_.create_person(person, face);
    } catch (const Error& e) {
        // Two requests raced to create the same external_id: the loser becomes a template of the winner.
        if (e.code() != ErrorCode::kConflict || !request.external_id) throw;
        auto winner = gallery_.persons().find_by_external_id(*request.external_id);
        if (!winner) throw;
        face.person_id = winner->id;
        return add_to_person(*winner, face, dropped);
    }
    person.face_count = 1;
    RegistrationResult result;
    result.person = person;
    result.face = face;
    result.created = true;
    result.primary = true;
    return result;
}

std::vector<RegistrationService::BatchEntry> RegistrationService::register_batch(
    const std::vector<RegistrationRequest>& requests, int parallelism) {
    std::vector<BatchEntry> entries(requests.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < requests.size(); i = next++) {
            try {
                entries[i].result = register_face(requests[i]);
            } catch (const Error& e) {
                entries[i].error = e;
            } catch (const std::exception& e) {
                spdlog::error("batch registration {}: {}", i, e.what());
                entries[i].error = Error(ErrorCode::kInternal);
            }
        }
    };
    const size_t threads = std::clamp<size_t>(size_t(std::max(1, parallelism)), 1, requests.size());
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    return entries;
}

RegistrationService::BatchOutcome RegistrationService::register_items(std::vector<BatchItem> items,
                                                                      int parallelism) {
    std::vector<RegistrationRequest> valid;
    std::vector<bool> forced(items.size());  // allow_mismatch, audited on its own
    for (size_t i = 0; i < items.size(); ++i) {
        forced[i] = !items[i].refused && items[i].request.allow_mismatch;
        if (!items[i].refused) valid.push_back(std::move(items[i].request));
    }
    auto registered = register_batch(valid, parallelism);
    BatchOutcome out;
    out.entries.reserve(items.size());
    size_t next = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        BatchEntry entry;
        if (items[i].refused)
            entry.error = items[i].refused;
        else
            entry = std::move(registered[next++]);
        if (entry.error) {
            ++out.failed;
        } else {
            const auto& result = *entry.result;
            if (!result.skipped) {
                out.changed_ids.push_back(result.person.id);
                out.changed_ids.push_back(result.face.id);
                if (forced[i] && !result.created)
                    out.forced_mismatches.emplace_back(result.person.id, result.face.id);
            }
            for (const auto& dropped : result.dropped_face_ids) out.changed_ids.push_back(dropped);
            result.skipped ? ++out.skipped : result.created ? ++out.created : ++out.added;
        }
        out.entries.push_back(std::move(entry));
    }
    return out;
}

std::optional<RegistrationResult> RegistrationService::already_stored(
    const RegistrationRequest& request, const std::optional<PersonRecord>& target) {
    const auto header = read_image_header(request.photo);
    if (!header) return std::nullopt;  // not an image: the decoder will say so
    const auto format = format_name(header->format);
    const std::string key = photo_key_of(request.photo, format == "jpeg" ? "jpg" : format);
    auto& persons = gallery_.persons();
    auto& references = gallery_.photo_references();
    for (const auto& person_id : references.persons_with_photo(key)) {
        if (target && person_id != target->id) continue;
        auto person = target ? target : persons.get_person(person_id);
        if (!person || (!target && person->name != request.name.value_or(""))) continue;
        // The face of that photo if it is still a template, else (dropped for the template limit or removed
        // by the retention policy) the person's primary: either way the photo was handled before.
        std::optional<FaceRecord> face;
        for (auto& f : references.faces_with_photo(key))
            if (f.person_id == person->id) face = std::move(f);
        if (!face && person->primary_face_id) face = persons.get_face(*person->primary_face_id);
        if (!face) continue;
        RegistrationResult result;
        result.person = *person;
        result.face = *face;
        result.skipped = true;
        result.primary = person->primary_face_id == face->id;
        result.box = {face->box[0], face->box[1], face->box[2], face->box[3], 0.f};
        return result;
    }
    return std::nullopt;
}

std::optional<PersonRecord> RegistrationService::check_duplicate(const RegistrationRequest& request,
                                                                 const Embedding& embedding) {
    const auto matches = gallery_.search(embedding, 4, options_.duplicate_threshold);
    for (const auto& match : matches)
        if (request.external_id && match.person.external_id == request.external_id) return match.person;
    if (matches.empty() || request.allow_duplicate) return std::nullopt;
    const auto& best = matches.front();
    const double probability = options_.policy.probability(best.similarity, gallery_.size());
    throw Error(ErrorCode::kPossibleDuplicate,
                "This face already belongs to " + best.person.name + " (" +
                    std::to_string(std::lround(probability * 100)) +
                    "% likely the same person); send allow_duplicate=true to register a new person anyway.",
                {{"person_id", best.person.id},
                 {"name", best.person.name},
                 {"face_id", best.face_id},
                 {"similarity", std::round(best.similarity * 10000) / 10000},
                 {"percentage", std::round(probability * 1000) / 10},
                 {"threshold", options_.duplicate_threshold}});
}

void RegistrationService::check_same_person(const PersonRecord& person, const Embedding& embedding) const {
    double best = -1;
    for (const auto& face : gallery_.persons().faces_of(person.id))
        best = std::max(best, double(cosine_similarity(embedding, face.embedding)));
    if (best >= MatchPolicy::kVerifyThreshold) return;
    throw Error(ErrorCode::kFaceMismatch,
                "This face does not match " + person.name +
                    "; add it to the right person, or register it as a new person.",
                {{"person_id", person.id},
                 {"similarity", std::round(best * 10000) / 10000},
                 {"percentage", std::round(options_.policy.probability(best, 1) * 1000) / 10},
                 {"threshold", MatchPolicy::kVerifyThreshold}});
}

RegistrationResult RegistrationService::add_to_person(const PersonRecord& person, const FaceRecord& face,
                                                      std::vector<FaceRecord>& dropped) {
    const auto lock = person_locks_.lock(person.id);
    auto faces = gallery_.persons().faces_of(person.id);
    if (faces.empty() && !gallery_.persons().get_person(person.id))
        throw Error(ErrorCode::kNotFound, "The person was deleted.", {{"person_id", person.id}});

    TemplateChange change;
    change.added = face;
    const auto primary = std::find_if(faces.begin(), faces.end(),
                                      [&](const FaceRecord& f) { return f.id == person.primary_face_id; });
    // A better photo becomes the primary automatically, unless someone pinned the current one.
    const bool pinned = options_.corrections && primary != faces.end() &&
                        options_.corrections->pinned_primary(person.id) == primary->id;
    const bool becomes_primary =
        primary == faces.end() || (!pinned && face.quality_score > primary->quality_score);
    if (becomes_primary) change.new_primary_face_id = face.id;
    const std::string primary_after = becomes_primary ? face.id : primary->id;

    // Over the limit: drop the lowest-quality older templates, never the primary. The new template is
    // always kept, even when its quality is low: it is the most recent look of the person.
    std::vector<FaceRecord> older = faces;
    std::sort(older.begin(), older.end(),
              [](const FaceRecord& a, const FaceRecord& b) { return a.quality_score < b.quality_score; });
    int excess = int(faces.size()) + 1 - std::max(1, options_.max_templates);
    for (const auto& old : older) {
        if (excess <= 0) break;
        if (old.id == primary_after) continue;
        change.dropped_face_ids.push_back(old.id);
        --excess;
    }
    dropped = gallery_.add_template(change);
    RegistrationResult result;
    result.dropped_face_ids = change.dropped_face_ids;
    auto updated = gallery_.persons().get_person(person.id);
    if (!updated) throw Error(ErrorCode::kNotFound, "The person was deleted.", {{"person_id", person.id}});
    result.person = *updated;
    result.face = face;
    result.primary = becomes_primary;
    return result;
}

}  // namespace faceid
