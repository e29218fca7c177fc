#pragma once
// Decodes a JPEG with libjpeg itself rather than cv::imdecode, so that the decode stops when the request's
// time budget is spent (libjpeg's progress monitor is called for every row of every scan; cv::imdecode
// cannot be interrupted, and a progressive file's cost grows with its scans times its pixels). The same
// library with the same settings as OpenCV's JPEG reader (BGR output, default IDCT and upsampling), and the
// EXIF orientation applied the way cv::imdecode applies it, so the pixels are the ones imdecode gives.
#include "core/deadline.h"

#include <opencv2/core.hpp>

#include <optional>
#include <string_view>

namespace faceid {

// The BGR image; nullopt for a JPEG left to cv::imdecode (CMYK and YCCK, which libjpeg cannot turn into
// BGR). Throws Error(kCorruptImage) when libjpeg gives up, Error(kTimeBudgetExceeded) when `deadline`
// passes during the decode.
std::optional<cv::Mat> decode_jpeg(std::string_view bytes, const Deadline& deadline);

// The EXIF orientation (1..8) of an APP1 payload ("Exif\0\0" and a TIFF structure); 1 when there is none
// or it is malformed.
int exif_orientation(std::string_view app1_payload);

// Turns an image stored with EXIF orientation `orientation` upright (as cv::imdecode does).
void apply_exif_orientation(cv::Mat& image, int orientation);

}  // namespace faceid
