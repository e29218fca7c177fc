#pragma once
// ClickHouse's RowBinary format: how rows travel to and from the server without any text escaping.
// Little-endian fixed-width numbers, strings and arrays prefixed by an unsigned LEB128 length, Nullable as
// one byte (1 = NULL) before the value.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace faceid {

class RowBinaryWriter {
  public:
    RowBinaryWriter& u8(uint8_t value);
    RowBinaryWriter& u64(uint64_t value);
    RowBinaryWriter& i32(int32_t value);
    RowBinaryWriter& i64(int64_t value);
    RowBinaryWriter& nullable_i64(std::optional<int64_t> value);
    RowBinaryWriter& f64(double value);
    RowBinaryWriter& string(std::string_view value);
    RowBinaryWriter& nullable_string(const std::optional<std::string>& value);
    RowBinaryWriter& float_array(std::span<const float> values);

    const std::string& bytes() const { return bytes_; }
    bool empty() const { return bytes_.empty(); }

  private:
    void length(uint64_t value);
    template <class T>
    void fixed(T value);
    std::string bytes_;
};

// Reads rows from a response body. Every read checks the remaining length and throws
// Error(kStorageError) on a truncated or malformed body (for example an error text appended mid-stream).
class RowBinaryReader {
  public:
    explicit RowBinaryReader(std::string_view bytes) : bytes_(bytes) {}
    // The reader keeps a view: a temporary response would be gone before the first read.
    explicit RowBinaryReader(std::string&&) = delete;

    bool at_end() const { return position_ == bytes_.size(); }
    uint8_t u8();
    uint64_t u64();
    int32_t i32();
    int64_t i64();
    std::optional<int64_t> nullable_i64();
    double f64();
    std::string string();
    std::string_view string_view();
    std::optional<std::string> nullable_string();
    // Appends nothing: replaces out with the array's elements.
    template <class Container>
    void float_array(Container& out) {
        const size_t count = array_length(sizeof(float));
        out.resize(count);
        copy_floats(out.data(), count);
    }
    // A fixed-size array; throws if the stored one has another size.
    template <size_t N>
    void float_array_exact(std::array<float, N>& out) {
        if (array_length(sizeof(float)) != N) fail("an array has the wrong length");
        copy_floats(out.data(), N);
    }

  private:
    uint64_t length();
    size_t array_length(size_t element_size);
    void copy_floats(float* out, size_t count);
    const char* take(size_t count);
    [[noreturn]] void fail(const char* what) const;
    template <class T>
    T fixed();

    std::string_view bytes_;
    size_t position_ = 0;
};

}  // namespace faceid
