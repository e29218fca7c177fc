#pragma once
// Synthetic persons and faces for benchmarks that need a large stored gallery (random unit embeddings,
// fixed quality figures, placeholder photo keys that point at no file).
#include "repositories/person_repository.h"

#include <cstdint>
#include <random>
#include <string>

namespace faceid::bench {

PersonRecord synthetic_person(int64_t index);
FaceRecord synthetic_face(const std::string& person_id, std::mt19937& rng);

}  // namespace faceid::bench
