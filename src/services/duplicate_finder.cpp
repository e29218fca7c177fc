#include "services/duplicate_finder.h"

#include "core/ids.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace faceid {
namespace {

constexpr int kNeighbours = 8;      // a person rarely has more near-identical templates than this
constexpr size_t kBatchRows = 256;  // queries per index batch

struct BestPair {
    uint64_t label_a = 0, label_b = 0;
    float similarity = -2;
};

}  // namespace

std::vector<DuplicatePair> find_duplicate_persons(Gallery& gallery, const DuplicateSearch& search) {
    std::map<std::pair<std::string, std::string>, BestPair> best;  // (person a, person b) -> best templates
    std::vector<float> batch;
    std::vector<std::pair<uint64_t, std::string>> rows;  // label, person of each query row
    auto flush = [&] {
        if (rows.empty()) return;
        const auto neighbours = gallery.index().search_batch(batch.data(), int(rows.size()), kNeighbours);
        for (size_t r = 0; r < rows.size(); ++r)
            for (const auto& n : neighbours[r]) {
                if (n.similarity < search.threshold) break;  // best first
                auto owner = gallery.owner_of(n.label);
                if (!owner || *owner == rows[r].second) continue;
                const bool ordered = rows[r].second < *owner;
                auto key =
                    ordered ? std::make_pair(rows[r].second, *owner) : std::make_pair(*owner, rows[r].second);
                auto& pair = best[key];
                if (n.similarity > pair.similarity)
                    pair = ordered ? BestPair{rows[r].first, n.label, n.similarity}
                                   : BestPair{n.label, rows[r].first, n.similarity};
            }
        batch.clear();
        rows.clear();
    };
    gallery.persons().for_each_face([&](const FaceRecord& face) {
        if (int(face.embedding.size()) != gallery.index().dim()) return;
        batch.insert(batch.end(), face.embedding.begin(), face.embedding.end());
        rows.emplace_back(face.label, face.person_id);
        if (rows.size() == kBatchRows) flush();
    });
    flush();

    std::vector<std::pair<std::pair<std::string, std::string>, BestPair>> ranked;
    for (const auto& entry : best)
        if (!search.kept_apart.count(entry.first)) ranked.push_back(entry);
    std::sort(ranked.begin(), ranked.end(),
              [](const auto& x, const auto& y) { return x.second.similarity > y.second.similarity; });
    if (ranked.size() > search.limit) ranked.resize(search.limit);
    std::vector<std::string> ids;
    for (const auto& [key, pair] : ranked) {
        ids.push_back(key.first);
        ids.push_back(key.second);
    }
    std::unordered_map<std::string, PersonRecord> records;
    for (auto& p : gallery.persons().get_persons(ids)) records.emplace(p.id, std::move(p));
    std::vector<DuplicatePair> out;
    for (const auto& [key, pair] : ranked) {
        auto a = records.find(key.first), b = records.find(key.second);
        if (a == records.end() || b == records.end()) continue;  // deleted meanwhile
        out.push_back({a->second, b->second, face_id_from_label(pair.label_a),
                       face_id_from_label(pair.label_b), pair.similarity});
    }
    return out;
}

}  // namespace faceid
