#include "vision/image_decoder.h"

#include "core/error.h"
#include "vision/jpeg_decoder.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstring>
#include <string_view>

using namespace std::string_view_literals;

namespace faceid {
namespace {

uint32_t be16(const unsigned char* p) {
    return (uint32_t(p[0]) << 8) | p[1];
}
uint32_t be32(const unsigned char* p) {
    return (be16(p) << 16) | be16(p + 2);
}
uint32_t le16(const unsigned char* p) {
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8);
}
uint32_t le24(const unsigned char* p) {
    return le16(p) | (uint32_t(p[2]) << 16);
}
uint32_t le32(const unsigned char* p) {
    return le24(p) | (uint32_t(p[3]) << 24);
}

bool starts_with(std::string_view bytes, std::string_view magic) {
    return bytes.size() >= magic.size() && std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

[[noreturn]] void corrupt(const char* why) {
    throw Error(ErrorCode::kCorruptImage, why);
}

// Walks the JPEG marker segments up to the first start-of-frame, which holds the dimensions.
ImageHeader jpeg_header(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t pos = 2;
    while (pos + 4 <= bytes.size()) {
        if (p[pos] != 0xFF) corrupt("JPEG marker expected");
        unsigned marker = p[pos + 1];
        if (marker == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            pos += 2;
            continue;
        }
        const uint32_t length = be16(p + pos + 2);
        if (length < 2) corrupt("JPEG segment length is invalid");
        const bool start_of_frame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (start_of_frame) {
            if (pos + 9 > bytes.size()) break;
            return {ImageFormat::kJpeg, be16(p + pos + 7), be16(p + pos + 5)};
        }
        if (marker == 0xDA || marker == 0xD9) corrupt("JPEG has no frame header");
        pos += 2 + length;
    }
    corrupt("JPEG header is truncated");
}

ImageHeader webp_header(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() < 30) corrupt("WebP header is truncated");
    std::string_view chunk = bytes.substr(12, 4);
    if (chunk == "VP8X") return {ImageFormat::kWebp, le24(p + 24) + 1, le24(p + 27) + 1};
    if (chunk == "VP8L") {
        const uint32_t bits = le32(p + 21);
        return {ImageFormat::kWebp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
    }
    if (chunk == "VP8 ") return {ImageFormat::kWebp, le16(p + 26) & 0x3FFF, le16(p + 28) & 0x3FFF};
    corrupt("WebP chunk is unknown");
}

// A file cut short still decodes "successfully" in libjpeg/libpng (grey or missing rows), so look
// for the end marker explicitly.
bool has_end_marker(std::string_view bytes, ImageFormat format) {
    const size_t tail = std::min<size_t>(bytes.size(), 64 * 1024);
    std::string_view end = bytes.substr(bytes.size() - tail);
    switch (format) {
        case ImageFormat::kJpeg:
            return end.find("\xFF\xD9") != std::string_view::npos;
        case ImageFormat::kPng:
            return end.find("IEND") != std::string_view::npos;
        default:
            return true;
    }
}

}  // namespace

int count_jpeg_scans(std::string_view bytes, int limit) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t size = bytes.size();
    int scans = 0;
    size_t pos = 2;
    while (pos + 4 <= size && scans <= limit) {
        if (p[pos] != 0xFF) return scans;  // not a marker: the decoder judges the rest
        const unsigned marker = p[pos + 1];
        if (marker == 0xFF) {
            ++pos;
            continue;
        }
        if (marker == 0xD9) break;  // end of image
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            pos += 2;
            continue;
        }
        pos += 2 + be16(p + pos + 2);
        if (marker != 0xDA) continue;
        ++scans;
        // Entropy-coded data runs to the next marker other than a stuffed 0xFF00 or a restart marker.
        while (pos + 1 < size) {
            const auto* next = static_cast<const unsigned char*>(std::memchr(p + pos, 0xFF, size - pos - 1));
            if (!next) return scans;
            pos = size_t(next - p);
            const unsigned after = p[pos + 1];
            if (after == 0x00 || (after >= 0xD0 && after <= 0xD7) || after == 0xFF) {
                pos += after == 0xFF ? 1 : 2;
                continue;
            }
            break;
        }
    }
    return scans;
}

std::string_view format_name(ImageFormat format) {
    switch (format) {
        case ImageFormat::kJpeg:
            return "jpeg";
        case ImageFormat::kPng:
            return "png";
        case ImageFormat::kWebp:
            return "webp";
        case ImageFormat::kBmp:
            return "bmp";
        case ImageFormat::kGif:
            return "gif";
        case ImageFormat::kTiff:
            return "tiff";
        case ImageFormat::kOther:
            break;
    }
    return "unknown";
}

std::optional<ImageHeader> read_image_header(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    if (starts_with(bytes, "\xFF\xD8\xFF")) return jpeg_header(bytes);
    if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) {
        if (bytes.size() < 24) corrupt("PNG header is truncated");
        return ImageHeader{ImageFormat::kPng, be32(p + 16), be32(p + 20)};
    }
    if (starts_with(bytes, "RIFF") && bytes.size() >= 12 && bytes.substr(8, 4) == "WEBP")
        return webp_header(bytes);
    if (starts_with(bytes, "BM") && bytes.size() >= 26) {
        const auto height = int32_t(le32(p + 22));
        return ImageHeader{ImageFormat::kBmp, int32_t(le32(p + 18)), height < 0 ? -int64_t(height) : height};
    }
    if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return ImageHeader{ImageFormat::kGif};
    if (starts_with(bytes, "II*\0"sv) || starts_with(bytes, "MM\0*"sv))
        return ImageHeader{ImageFormat::kTiff};
    return std::nullopt;
}

cv::Mat decode_image(std::string_view bytes, const DecodeLimits& limits, const Deadline& deadline) {
    if (bytes.empty()) throw Error(ErrorCode::kEmptyInput);
    const auto header = read_image_header(bytes);
    if (!header) throw Error(ErrorCode::kNotAnImage);
    if (header->format == ImageFormat::kGif || header->format == ImageFormat::kTiff)
        throw Error(ErrorCode::kUnsupportedFormat, "", {{"format", format_name(header->format)}});
    if (header->width <= 0 || header->height <= 0) corrupt("the image header gives no size");
    // Each side first: PNG sides go up to 2^32 - 1, and their product would overflow.
    if (header->width > limits.max_pixels || header->height > limits.max_pixels ||
        header->width * header->height > limits.max_pixels)
        throw Error(
            ErrorCode::kImageTooLarge,
            "The image is " + std::to_string(header->width) + " x " + std::to_string(header->height) +
                " pixels; at most " + std::to_string(limits.max_pixels) + " pixels are allowed.",
            {{"width", header->width}, {"height", header->height}, {"max_pixels", limits.max_pixels}});
    if (!has_end_marker(bytes, header->format)) corrupt("the image is truncated");
    // Decoding time grows with the number of scans: a file with far more than any encoder writes is refused
    // from its markers, before any decoding (the time budget stops the rest, at any scan count).
    if (header->format == ImageFormat::kJpeg) {
        const int scans = count_jpeg_scans(bytes, limits.max_jpeg_scans);
        if (scans > limits.max_jpeg_scans)
            throw Error(ErrorCode::kImageTooComplex,
                        "The JPEG has more than " + std::to_string(limits.max_jpeg_scans) +
                            " scans; re-save it as a baseline or ordinary progressive JPEG.",
                        {{"max_scans", limits.max_jpeg_scans}});
    }

    deadline.check("decode");
    if (header->format == ImageFormat::kJpeg)
        if (auto image = decode_jpeg(bytes, deadline)) return *image;

    cv::Mat raw(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    cv::Mat image;
    try {
        // IMREAD_COLOR applies the EXIF orientation and gives 3-channel BGR for grey and alpha images too.
        image = cv::imdecode(raw, cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
        corrupt("the image could not be decoded");
    }
    if (image.empty()) corrupt("the image could not be decoded");
    deadline.check("decode");
    return image;
}

}  // namespace faceid
