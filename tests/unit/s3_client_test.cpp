// The S3 client's small parsers (no server needed; the client itself is tested against radosgw in
// tests/contract/s3_photo_store_contract.cpp).
#include "repositories/s3/s3_client.h"
#include "core/percent_encoding.h"

#include <gtest/gtest.h>

namespace faceid {
namespace {

TEST(S3Client, HttpDatesParseAsUtcAndGarbageDoesNot) {
    EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    EXPECT_EQ(parse_http_date("Tue, 01 Dec 2026 02:38:25 GMT"), 1796092705);
    EXPECT_FALSE(parse_http_date(""));
    EXPECT_FALSE(parse_http_date("2026-12-01T02:38:25Z"));
    EXPECT_FALSE(parse_http_date("Tue, 01 Dec 2026 02:38:25 GMT trailing"));
}

TEST(S3Client, UriEncodingKeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(percent_encode("faceid/t-1_a.b~"), "faceid%2Ft-1_a.b~");
    EXPECT_EQ(percent_encode("a b+c=&"), "a%20b%2Bc%3D%26");
    EXPECT_EQ(percent_encode("\xC3\xBC"), "%C3%BC");
}

TEST(S3Client, XmlValuesAreFoundInOrderAndEntitiesDecoded) {
    const std::string xml =
        "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b</Key><Size>12</Size></"
        "Contents>"
        "<Contents><Key>c&lt;d&gt;&quot;&apos;</Key><Size>3</Size></Contents>"
        "<NextContinuationToken>1/x==</NextContinuationToken></ListBucketResult>";
    EXPECT_EQ(xml_values(xml, "Key"), (std::vector<std::string>{"a&b", "c<d>\"'"}));
    EXPECT_EQ(xml_values(xml, "Size"), (std::vector<std::string>{"12", "3"}));
    EXPECT_EQ(xml_values(xml, "IsTruncated"), std::vector<std::string>{"true"});
    EXPECT_EQ(xml_values(xml, "Contents").size(), 2u);
    EXPECT_TRUE(xml_values(xml, "Missing").empty());
    EXPECT_TRUE(xml_values("<Key>unclosed", "Key").empty());
    S3Response error;
    error.body = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code></Error>";
    EXPECT_EQ(error.error_code(), "NoSuchBucket");
}

}  // namespace
}  // namespace faceid
