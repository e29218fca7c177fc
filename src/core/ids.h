#pragma once
// Opaque identifiers. Faces also carry a 63-bit numeric label, the key of the in-memory vector index;
// the face id string is derived from it so that both always agree.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faceid {

// Random non-zero 63-bit number from a CSPRNG.
uint64_t random_label();
// Random hex string of 2*bytes characters.
std::string random_hex(size_t bytes);

std::string new_person_id();                     // "p" + 16 hex
std::string new_key_id();                        // "k" + 16 hex (API keys)
std::string face_id_from_label(uint64_t label);  // "f" + 16 hex
std::optional<uint64_t> label_from_face_id(std::string_view id);

// True for ids of the form prefix + 16 lower-case hex digits: lets routes reject malformed ids early.
bool is_well_formed_id(std::string_view id, char prefix);

}  // namespace faceid
