#pragma once
// Content-addressed storage of photo bytes (whole photos and face crops). put() is durable when it
// returns (temp file, fsync, rename, fsync of the folder). One contract suite runs against every
// implementation.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

class PhotoStore {
  public:
    virtual ~PhotoStore() = default;
    // Stores bytes; returns their key (lower-case hex SHA-256 + "." + extension, e.g. "ab12...ef.jpg").
    // Storing the same bytes twice returns the same key and keeps one copy.
    virtual std::string put(std::string_view bytes, std::string_view extension) = 0;
    virtual std::optional<std::string> get(const std::string& key) = 0;
    virtual bool remove(const std::string& key) = 0;
    virtual bool exists(const std::string& key) = 0;
    // Bytes used by all stored blobs.
    virtual uint64_t bytes_used() = 0;
    // Size of one blob, nullopt when absent (the default reads it; stores override with something cheaper).
    virtual std::optional<uint64_t> size(const std::string& key);
};

// The key put() returns for these bytes, without storing them (to look up whether a photo is stored).
std::string photo_key_of(std::string_view bytes, std::string_view extension);

// True for keys put() can return: 64 hex digits, a dot, 3-4 lower-case letters. Guards against traversal.
bool is_valid_photo_key(std::string_view key);

}  // namespace faceid
