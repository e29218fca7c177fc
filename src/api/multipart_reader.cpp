#include "api/multipart_reader.h"

#include <microhttpd.h>

namespace faceid {
namespace {

// The processor's buffer holds one part's header lines (and its name); 16 KB is plenty for a form field.
constexpr size_t kProcessorBuffer = 16 * 1024;

enum MHD_Result iterate(void* cls, enum MHD_ValueKind, const char* key, const char* filename,
                        const char* content_type, const char*, const char* data, uint64_t offset,
                        size_t size) {
    return static_cast<MultipartReader*>(cls)->on_data(key, filename, content_type, data, offset, size)
               ? MHD_YES
               : MHD_NO;
}

}  // namespace

MultipartReader::MultipartReader(MHD_Connection* connection, size_t max_parts) : max_parts_(max_parts) {
    processor_ = MHD_create_post_processor(connection, kProcessorBuffer, iterate, this);
}

MultipartReader::~MultipartReader() {
    if (processor_) MHD_destroy_post_processor(processor_);
}

bool MultipartReader::feed(const char* data, size_t size) {
    if (!processor_) return false;
    if (MHD_post_process(processor_, data, size) == MHD_YES) return true;
    if (error_.empty()) error_ = "The multipart/form-data body is malformed.";
    return false;
}

bool MultipartReader::finish() {
    if (!processor_) return false;
    const bool complete = MHD_destroy_post_processor(processor_) == MHD_YES;
    processor_ = nullptr;
    if (!complete || count_ == 0) {
        error_ = "The multipart/form-data body is malformed or has no part with the declared boundary.";
        return false;
    }
    return true;
}

bool MultipartReader::on_data(const char* key, const char* filename, const char* content_type,
                              const char* data, uint64_t offset, size_t size) {
    const std::string name = key ? key : "";
    const std::string file = filename ? filename : "";
    // A part starts at offset 0. The processor may announce a part with an empty piece and then send its
    // first bytes at offset 0 again: that is still the same part.
    const bool continues_empty =
        current_ && current_->content.empty() && current_name_ == name && current_->filename == file;
    if (offset == 0 && !continues_empty) {
        if (++count_ > max_parts_) {
            error_ = "The form has more than " + std::to_string(max_parts_) + " parts.";
            return false;
        }
        auto it = parts_.emplace(name, FormPart{{}, file, content_type ? content_type : ""});
        current_ = &it->second;
        current_name_ = name;
    }
    if (!current_) return false;
    current_->content.append(data, size);
    return true;
}

}  // namespace faceid
