#pragma once
// Turns uploaded bytes into a BGR image, refusing what should not be decoded: empty input, non-images,
// unsupported formats, truncated files, and images whose header claims more pixels than allowed (checked
// before the full decode, so a "decompression bomb" costs nothing). EXIF orientation is applied.
#include "core/deadline.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace faceid {

enum class ImageFormat { kJpeg, kPng, kWebp, kBmp, kGif, kTiff, kOther };

struct ImageHeader {
    ImageFormat format = ImageFormat::kOther;
    int64_t width = 0;
    int64_t height = 0;
};

struct DecodeLimits {
    int64_t max_pixels = 40'000'000;
    // Scans of one JPEG: a progressive photo has about 10; each scan makes the decoder pass over the whole
    // image again, so a file repeating a refinement scan 1,000 times holds a pipeline for ~25 s.
    int max_jpeg_scans = 100;
};

// Format and dimensions from the first bytes, or nullopt for anything we do not recognise as an image.
// Throws Error(kCorruptImage) for a recognised format whose header is cut short.
std::optional<ImageHeader> read_image_header(std::string_view bytes);

// The number of scans (start-of-scan segments) in a JPEG, counted by walking its marker segments and
// skipping entropy-coded data; stops counting once above `limit`.
int count_jpeg_scans(std::string_view bytes, int limit);

// Throws Error with kEmptyInput, kNotAnImage, kUnsupportedFormat, kCorruptImage, kImageTooLarge,
// kImageTooComplex or kTimeBudgetExceeded. A JPEG decode stops when `deadline` passes (jpeg_decoder.h);
// PNG, WebP and BMP are checked after their decode, which their pixel limit bounds.
cv::Mat decode_image(std::string_view bytes, const DecodeLimits& limits = {}, const Deadline& deadline = {});

std::string_view format_name(ImageFormat format);

}  // namespace faceid
