#include "vision/image_decoder.h"
#include "core/error.h"
#include "support/test_support.h"
#include "vision/jpeg_decoder.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace faceid {
namespace {

std::string encode(const cv::Mat& image, const std::string& ext) {
    std::vector<uchar> bytes;
    cv::imencode(ext, image, bytes);
    return {bytes.begin(), bytes.end()};
}

cv::Mat gradient(int width, int height) {
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.at<cv::Vec3b>(y, x) = {uchar(x * 4), uchar(y * 4), 128};
    return image;
}

ErrorCode decode_error(const std::string& bytes) {
    try {
        decode_image(bytes);
    } catch (const Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "decode succeeded";
    return ErrorCode::kInternal;
}

// A JPEG with an EXIF APP1 segment whose orientation tag is `orientation`.
std::string jpeg_with_orientation(const cv::Mat& image, uint16_t orientation) {
    std::string jpeg = encode(image, ".jpg");
    std::string tiff = std::string("MM\0*\0\0\0\x08", 8);  // big-endian TIFF header, IFD at 8
    tiff += std::string("\0\x01", 2);                      // one entry
    tiff += std::string("\x01\x12\0\x03\0\0\0\x01", 8);    // Orientation, SHORT, count 1
    tiff += char(orientation >> 8), tiff += char(orientation & 255), tiff += std::string(2, '\0');
    tiff += std::string(4, '\0');  // no next IFD
    std::string payload = std::string("Exif\0\0", 6) + tiff;
    const size_t length = payload.size() + 2;
    std::string app1 = "\xFF\xE1";
    app1 += char(length >> 8), app1 += char(length & 255);
    return jpeg.substr(0, 2) + app1 + payload + jpeg.substr(2);
}

TEST(ImageDecoder, DecodesEveryAcceptedFormatToBgr) {
    const cv::Mat image = gradient(40, 30);
    for (const char* ext : {".jpg", ".png", ".webp", ".bmp"}) {
        SCOPED_TRACE(ext);
        const std::string bytes = encode(image, ext);
        const auto header = read_image_header(bytes);
        ASSERT_TRUE(header);
        EXPECT_EQ(header->width, 40);
        EXPECT_EQ(header->height, 30);
        const cv::Mat decoded = decode_image(bytes);
        EXPECT_EQ(decoded.type(), CV_8UC3);
        EXPECT_EQ(decoded.size(), image.size());
    }
    // Grey PNG still comes back as 3 channels.
    cv::Mat grey(10, 12, CV_8UC1, cv::Scalar(77));
    EXPECT_EQ(decode_image(encode(grey, ".png")).type(), CV_8UC3);
}

TEST(ImageDecoder, AppliesExifOrientation) {
    const cv::Mat image = gradient(40, 20);
    const cv::Mat upright = decode_image(jpeg_with_orientation(image, 1));
    EXPECT_EQ(upright.size(), cv::Size(40, 20));
    const cv::Mat rotated = decode_image(jpeg_with_orientation(image, 6));  // rotate 90 degrees clockwise
    EXPECT_EQ(rotated.size(), cv::Size(20, 40));
}

TEST(ImageDecoder, RejectsBadInputWithDistinctCodes) {
    EXPECT_EQ(decode_error(""), ErrorCode::kEmptyInput);
    EXPECT_EQ(decode_error("hello, this is text"), ErrorCode::kNotAnImage);
    EXPECT_EQ(decode_error("<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>"),
              ErrorCode::kNotAnImage);
    EXPECT_EQ(decode_error("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ErrorCode::kUnsupportedFormat);
    EXPECT_EQ(decode_error(std::string("II*\0\x08\0\0\0", 8)), ErrorCode::kUnsupportedFormat);

    const std::string jpeg = encode(gradient(64, 64), ".jpg");
    EXPECT_EQ(decode_error(jpeg.substr(0, jpeg.size() / 2)), ErrorCode::kCorruptImage);
    EXPECT_EQ(decode_error(jpeg.substr(0, 5)), ErrorCode::kCorruptImage);
    const std::string png = encode(gradient(64, 64), ".png");
    EXPECT_EQ(decode_error(png.substr(0, png.size() - 20)), ErrorCode::kCorruptImage);
    EXPECT_EQ(decode_error(png.substr(0, 16)), ErrorCode::kCorruptImage);
    // Valid headers, garbage body.
    std::string garbage = jpeg.substr(0, 200) + std::string(500, '\x42') + "\xFF\xD9";
    EXPECT_EQ(decode_error(garbage), ErrorCode::kCorruptImage);
}

TEST(ImageDecoder, RefusesHugeImagesFromTheHeaderAlone) {
    // A PNG header claiming 100000 x 100000 pixels, with no pixel data at all.
    std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + std::string("\0\0\0\x0DIHDR", 8);
    png += std::string("\x00\x01\x86\xA0\x00\x01\x86\xA0\x08\x02\x00\x00\x00", 13) + std::string(4, '\0');
    const auto header = read_image_header(png);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->width, 100000);
    try {
        decode_image(png);
        FAIL() << "decoded";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kImageTooLarge);
        EXPECT_EQ(e.details()["width"], 100000);
    }
    // Sides near 2^32 (whose product overflows 64 bits; found by the image fuzzer under UBSan).
    std::string wide = png;
    wide.replace(16, 8, std::string("\xF7\xE0\x00\x00\xFC\x80\x00\x00", 8));
    ASSERT_EQ(read_image_header(wide)->width, 0xF7E00000LL);
    EXPECT_EQ(decode_error(wide), ErrorCode::kImageTooLarge);
    // The limit is configurable.
    const std::string small = encode(gradient(100, 100), ".png");
    EXPECT_NO_THROW(decode_image(small, {.max_pixels = 10000}));
    EXPECT_THROW(decode_image(small, {.max_pixels = 9999}), Error);
}

// A progressive JPEG that repeats its last refinement scan 1,000 times decodes for many seconds; the scan
// count is read from the marker segments first and the file is refused before decoding.
TEST(ImageDecoder, RefusesJpegsWithTooManyScans) {
    const std::string normal = testing::progressive_jpeg();
    const int scans = count_jpeg_scans(normal, 1000);
    EXPECT_GE(scans, 2);
    EXPECT_LE(scans, 12);
    EXPECT_EQ(decode_image(normal).cols, 320);
    EXPECT_EQ(count_jpeg_scans(encode(gradient(64, 48), ".jpg"), 1000), 1);  // baseline

    const std::string bomb = testing::progressive_jpeg(1000);
    EXPECT_GT(count_jpeg_scans(bomb, 100), 100);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(decode_error(bomb), ErrorCode::kImageTooComplex);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
    // Exactly at the limit still decodes.
    const std::string at_limit = testing::progressive_jpeg(100 - scans);
    EXPECT_EQ(count_jpeg_scans(at_limit, 100), 100);
    EXPECT_EQ(decode_image(at_limit).cols, 320);
}

// The JPEG reader that can stop at the time budget gives exactly cv::imdecode's pixels: colour, grey,
// progressive, and every EXIF orientation.
TEST(JpegDecoder, GivesTheSamePixelsAsImdecode) {
    cv::Mat grey;
    cv::cvtColor(gradient(37, 23), grey, cv::COLOR_BGR2GRAY);
    std::vector<std::string> files = {encode(gradient(37, 23), ".jpg"), encode(grey, ".jpg"),
                                      testing::progressive_jpeg()};
    std::vector<std::string> oriented;
    for (uint16_t orientation = 1; orientation <= 8; ++orientation)
        oriented.push_back(jpeg_with_orientation(gradient(37, 23), orientation));
    for (const std::vector<std::string>* set : {&files, &oriented}) {
        for (size_t i = 0; i < set->size(); ++i) {
            SCOPED_TRACE(i);
            const std::string& bytes = (*set)[i];
            const cv::Mat expected = cv::imdecode(
                cv::Mat(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data())), cv::IMREAD_COLOR);
            const auto decoded = decode_jpeg(bytes, Deadline());
            ASSERT_TRUE(decoded);
            ASSERT_EQ(decoded->size(), expected.size());
            ASSERT_EQ(decoded->type(), CV_8UC3);
            EXPECT_EQ(cv::norm(*decoded, expected, cv::NORM_INF), 0);
        }
    }
    EXPECT_EQ(exif_orientation(std::string("Exif\0\0MM\0*\xFF\xFF\xFF\xF0", 14)), 1);  // IFD beyond the end
}

// A progressive JPEG under the scan limit but large enough to decode for seconds stops at the time budget,
// within a row of MCUs; a budget that is not spent changes nothing.
TEST(JpegDecoder, StopsWhenTheTimeBudgetIsSpent) {
    const std::string slow = testing::progressive_jpeg(80, 2000, 1500);
    ASSERT_LE(count_jpeg_scans(slow, 100), 100);
    const auto start = std::chrono::steady_clock::now();
    try {
        decode_image(slow, {}, Deadline::in(0.05));
        ADD_FAILURE() << "decoded in full within 50 ms";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kTimeBudgetExceeded);
        EXPECT_EQ(e.details().value("stage", ""), "decode");
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 5.0);  // generous: the full decode takes far longer
    EXPECT_EQ(decode_image(testing::progressive_jpeg(), {}, Deadline::in(60)).cols, 320);
    EXPECT_EQ(decode_image(encode(gradient(40, 30), ".png"), {}, Deadline::in(60)).cols, 40);
}

}  // namespace
}  // namespace faceid
