#include "vision/jpeg_decoder.h"

#include "core/error.h"

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <csetjmp>
#include <cstddef>
#include <cstdio>

#include <cstdint>
#include <cstring>

namespace faceid {
namespace {

// libjpeg reports errors and the progress monitor stops the decode through longjmp back to decode_jpeg():
// an exception must not unwind through libjpeg's C frames.
struct DecodeContext {
    jpeg_error_mgr errors{};
    jpeg_progress_mgr progress{};
    const Deadline* deadline = nullptr;
    std::jmp_buf escape{};
    bool over_budget = false;
    char message[JMSG_LENGTH_MAX] = {};
};

DecodeContext& context_of(j_common_ptr info) {
    return *static_cast<DecodeContext*>(info->client_data);
}

void on_error(j_common_ptr info) {
    DecodeContext& context = context_of(info);
    info->err->format_message(info, context.message);
    std::longjmp(context.escape, 1);
}

void on_message(j_common_ptr, int) {}  // warnings (e.g. "corrupt data") are not worth a log line each

void on_progress(j_common_ptr info) {
    DecodeContext& context = context_of(info);
    if (!context.deadline->passed()) return;
    context.over_budget = true;
    std::longjmp(context.escape, 1);
}

uint32_t read16(const unsigned char* p, bool big_endian) {
    return big_endian ? (uint32_t(p[0]) << 8) | p[1] : uint32_t(p[0]) | (uint32_t(p[1]) << 8);
}

uint32_t read32(const unsigned char* p, bool big_endian) {
    return big_endian ? (read16(p, true) << 16) | read16(p + 2, true)
                      : read16(p, false) | (read16(p + 2, false) << 16);
}

}  // namespace

int exif_orientation(std::string_view payload) {
    if (payload.size() < 14 || std::memcmp(payload.data(), "Exif\0\0", 6) != 0) return 1;
    const std::string_view tiff = payload.substr(6);
    const auto* p = reinterpret_cast<const unsigned char*>(tiff.data());
    bool big_endian;
    if (tiff.starts_with("MM"))
        big_endian = true;
    else if (tiff.starts_with("II"))
        big_endian = false;
    else
        return 1;
    const uint32_t ifd = read32(p + 4, big_endian);
    if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
    const uint32_t entries = read16(p + ifd, big_endian);
    for (uint32_t i = 0; i < entries; ++i) {
        const size_t at = size_t(ifd) + 2 + size_t(i) * 12;
        if (at + 12 > tiff.size()) return 1;
        if (read16(p + at, big_endian) != 0x0112) continue;  // Orientation
        if (read16(p + at + 2, big_endian) != 3) return 1;   // SHORT
        const uint32_t value = read16(p + at + 8, big_endian);
        return value >= 1 && value <= 8 ? int(value) : 1;
    }
    return 1;
}

void apply_exif_orientation(cv::Mat& image, int orientation) {
    // As OpenCV's ApplyExifOrientation (imgcodecs/src/loadsave.cpp).
    switch (orientation) {
        case 2:
            cv::flip(image, image, 1);
            break;
        case 3:
            cv::flip(image, image, -1);
            break;
        case 4:
            cv::flip(image, image, 0);
            break;
        case 5:
            cv::transpose(image, image);
            break;
        case 6:
            cv::transpose(image, image);
            cv::flip(image, image, 1);
            break;
        case 7:
            cv::transpose(image, image);
            cv::flip(image, image, -1);
            break;
        case 8:
            cv::transpose(image, image);
            cv::flip(image, image, 0);
            break;
        default:
            break;
    }
}

std::optional<cv::Mat> decode_jpeg(std::string_view bytes, const Deadline& deadline) {
    // Everything with a destructor lives before setjmp, so a longjmp skips none.
    DecodeContext context;
    context.deadline = &deadline;
    jpeg_decompress_struct info{};
    cv::Mat image;
    int orientation = 1;
    info.err = jpeg_std_error(&context.errors);
    context.errors.error_exit = on_error;
    context.errors.emit_message = on_message;
    if (setjmp(context.escape) != 0) {
        jpeg_destroy_decompress(&info);
        if (context.over_budget) deadline.exceeded("decode");
        throw Error(ErrorCode::kCorruptImage,
                    std::string("the JPEG could not be decoded: ") + context.message);
    }
    jpeg_create_decompress(&info);
    info.client_data = &context;
    context.progress.progress_monitor = on_progress;
    info.progress = &context.progress;
    jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
    jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK || info.num_components == 4) {
        jpeg_destroy_decompress(&info);
        return std::nullopt;
    }
    for (jpeg_saved_marker_ptr marker = info.marker_list; marker; marker = marker->next)
        if (marker->marker == JPEG_APP0 + 1 && orientation == 1)
            orientation = exif_orientation(
                std::string_view(reinterpret_cast<const char*>(marker->data), marker->data_length));
    info.out_color_space = JCS_EXT_BGR;
    jpeg_start_decompress(&info);  // a progressive file's scans are all read here, rows by rows
    image.create(int(info.output_height), int(info.output_width), CV_8UC3);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = image.ptr<uchar>(int(info.output_scanline));
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    apply_exif_orientation(image, orientation);
    return image;
}

}  // namespace faceid
