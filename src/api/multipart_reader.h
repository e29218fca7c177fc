#pragma once
// Parses a multipart/form-data body while it arrives (libmicrohttpd's post processor), into the parts of an
// HttpRequest. Bounded: at most `max_parts` parts, and each part header fits the processor's buffer; the
// total size is the body limit the transport enforces before this sees a byte.
#include "api/http_message.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

struct MHD_Connection;
struct MHD_PostProcessor;

namespace faceid {

class MultipartReader {
  public:
    // Reads the boundary from the connection's Content-Type; valid() is false when there is none usable.
    MultipartReader(MHD_Connection* connection, size_t max_parts);
    ~MultipartReader();
    MultipartReader(const MultipartReader&) = delete;
    MultipartReader& operator=(const MultipartReader&) = delete;

    bool valid() const { return processor_ != nullptr; }
    // Feeds the next piece of the body; false when the body is malformed or has too many parts (the
    // reason is in error()).
    bool feed(const char* data, size_t size);
    const std::string& error() const { return error_; }
    // Once the whole body is in: false when it ended inside a part or never reached the declared boundary
    // (the processor skips what comes before it without a word).
    bool finish();
    // The parts read, moved out (call once, after finish()).
    std::multimap<std::string, FormPart> take_parts() { return std::move(parts_); }

    // The processor's callback: `size` bytes of part `key` at `offset` within that part.
    bool on_data(const char* key, const char* filename, const char* content_type, const char* data,
                 uint64_t offset, size_t size);

  private:
    MHD_PostProcessor* processor_ = nullptr;
    const size_t max_parts_;
    std::multimap<std::string, FormPart> parts_;
    FormPart* current_ = nullptr;
    std::string current_name_;
    size_t count_ = 0;
    std::string error_;
};

}  // namespace faceid
