// Fuzzes RequestReader on JSON bodies: every accessor the routes use, with the field names they use.
// Expected refusals are faceid::Error; anything else (a crash, another exception) is a bug.
#include "api/request_reader.h"
#include "core/error.h"

#include <cstdint>

namespace {

void read_all_fields(const faceid::RequestReader& in) {
    const auto attempt = [](auto&& fn) {
        try {
            fn();
        } catch (const faceid::Error&) {
        }
    };
    for (const char* field : {"name", "external_id", "person_id", "role"}) {
        attempt([&] { (void)in.text(field); });
        attempt([&] { (void)in.required_text(field, 100); });
        attempt([&] { (void)in.has(field); });
    }
    attempt([&] { (void)in.integer("top_k", 1, 100); });
    attempt([&] { (void)in.integer("face_index", 0, 1000); });
    attempt([&] { (void)in.number("threshold", -1.0, 1.0); });
    attempt([&] { (void)in.boolean("all_faces", false); });
    attempt([&] { (void)in.object("metadata"); });
    for (const char* field : {"photo", "photo_a", "photo_b"}) {
        attempt([&] { (void)in.photo(field); });
        attempt([&] { (void)in.required_photo(field); });
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    faceid::HttpRequest request;
    request.method = "POST";
    request.path = "/register";
    request.headers.emplace("Content-Type", "application/json");
    request.body.assign(reinterpret_cast<const char*>(data), size);
    try {
        const faceid::RequestReader in(request);
        read_all_fields(in);
    } catch (const faceid::Error&) {
    }
    return 0;
}
