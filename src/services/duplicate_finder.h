#pragma once
// Pairs of different persons whose templates are suspiciously similar (probably one person registered
// twice), for an administrator to review: GET /admin/duplicates.
#include "services/gallery.h"

#include <string>
#include <vector>

namespace faceid {

struct DuplicatePair {
    PersonRecord a, b;           // a.id < b.id
    std::string face_a, face_b;  // the most similar pair of their templates
    double similarity = 0;
};

struct DuplicateSearch {
    double threshold = 0.6;  // cosine; the registration duplicate check's default
    size_t limit = 100;      // most similar pairs first
};

// Every template is searched against the index (in batches, a few neighbours each), so the cost is one
// index search per stored template: seconds for tens of thousands of templates with the flat index.
std::vector<DuplicatePair> find_duplicate_persons(Gallery& gallery, const DuplicateSearch& search);

}  // namespace faceid
