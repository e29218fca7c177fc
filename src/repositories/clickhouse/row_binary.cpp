#include "repositories/clickhouse/row_binary.h"

#include "core/error.h"

#include <array>
#include <bit>
#include <cstring>

namespace faceid {

static_assert(std::endian::native == std::endian::little,
              "RowBinary is little-endian; this build assumes it");

template <class T>
void RowBinaryWriter::fixed(T value) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    bytes_.append(raw, sizeof(T));
}

void RowBinaryWriter::length(uint64_t value) {
    do {
        uint8_t byte = value & 0x7F;
        value >>= 7;
        if (value) byte |= 0x80;
        bytes_ += char(byte);
    } while (value);
}

RowBinaryWriter& RowBinaryWriter::u8(uint8_t value) {
    fixed(value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::u64(uint64_t value) {
    fixed(value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::i32(int32_t value) {
    fixed(value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::i64(int64_t value) {
    fixed(value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::nullable_i64(std::optional<int64_t> value) {
    u8(value ? 0 : 1);
    if (value) fixed(*value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::f64(double value) {
    fixed(value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::string(std::string_view value) {
    length(value.size());
    bytes_.append(value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::nullable_string(const std::optional<std::string>& value) {
    u8(value ? 0 : 1);
    if (value) string(*value);
    return *this;
}
RowBinaryWriter& RowBinaryWriter::float_array(std::span<const float> values) {
    length(values.size());
    if (!values.empty()) bytes_.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
    return *this;
}

void RowBinaryReader::fail(const char* what) const {
    throw Error(ErrorCode::kStorageError, std::string("unexpected ClickHouse response: ") + what,
                {{"offset", position_}});
}

const char* RowBinaryReader::take(size_t count) {
    if (bytes_.size() - position_ < count) fail("the rows end early");
    const char* start = bytes_.data() + position_;
    position_ += count;
    return start;
}

template <class T>
T RowBinaryReader::fixed() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
}

uint64_t RowBinaryReader::length() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        const auto byte = static_cast<uint8_t>(*take(1));
        value |= uint64_t(byte & 0x7F) << shift;
        if (!(byte & 0x80)) return value;
    }
    fail("a length prefix is too long");
}

size_t RowBinaryReader::array_length(size_t element_size) {
    const uint64_t count = length();
    if (count > (bytes_.size() - position_) / element_size) fail("an array is longer than the response");
    return size_t(count);
}

void RowBinaryReader::copy_floats(float* out, size_t count) {
    if (count) std::memcpy(out, take(count * sizeof(float)), count * sizeof(float));
}

uint8_t RowBinaryReader::u8() {
    return fixed<uint8_t>();
}
uint64_t RowBinaryReader::u64() {
    return fixed<uint64_t>();
}
int32_t RowBinaryReader::i32() {
    return fixed<int32_t>();
}
int64_t RowBinaryReader::i64() {
    return fixed<int64_t>();
}
std::optional<int64_t> RowBinaryReader::nullable_i64() {
    const uint8_t is_null = u8();
    if (is_null > 1) fail("a Nullable marker is neither 0 nor 1");
    if (is_null) return std::nullopt;
    return fixed<int64_t>();
}
double RowBinaryReader::f64() {
    return fixed<double>();
}

std::string_view RowBinaryReader::string_view() {
    const uint64_t size = length();
    if (size > bytes_.size() - position_) fail("a string is longer than the response");
    return {take(size_t(size)), size_t(size)};
}
std::string RowBinaryReader::string() {
    return std::string(string_view());
}

std::optional<std::string> RowBinaryReader::nullable_string() {
    const uint8_t is_null = u8();
    if (is_null > 1) fail("a Nullable marker is neither 0 nor 1");
    if (is_null) return std::nullopt;
    return string();
}

}  // namespace faceid
