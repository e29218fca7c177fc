#pragma once
// Pairs of different persons whose templates are suspiciously similar (probably one person registered
// twice), for an administrator to review: GET /admin/duplicates.
#include "services/gallery.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace faceid {

struct DuplicatePair {
    PersonRecord a, b;           // a.id < b.id
    std::string face_a, face_b;  // the most similar pair of their templates
    double similarity = 0;
};

// The default cosine of the registration duplicate check (RegistrationOptions) and of GET /admin/duplicates.
// Strict on purpose, well above the match threshold (0.333, FAR 1e-3 on LFW): importing all of LFW (5,749
// people) at 0.5 flagged 336 first photos in the 0.50-0.55 band, mostly different people who happen to be
// close in a gallery of thousands; the same person in another photo scores about 0.6, the same photo about 1.
inline constexpr double kDefaultDuplicateThreshold = 0.6;

struct DuplicateSearch {
    double threshold = kDefaultDuplicateThreshold;  // cosine
    size_t limit = 100;                             // most similar pairs first
    // Pairs a review decided to keep apart (smaller id first): never listed again.
    std::set<std::pair<std::string, std::string>> kept_apart;
};

// Every template is searched against the index (in batches, a few neighbours each), so the cost is one
// index search per stored template: seconds for tens of thousands of templates with the flat index.
std::vector<DuplicatePair> find_duplicate_persons(Gallery& gallery, const DuplicateSearch& search);

}  // namespace faceid
