#pragma once
// PhotoStore on the local file system: blob <root>/<first two hex digits>/<sha256>.<ext>. Writes are
// atomic and durable (temp file in the same folder, fsync, rename, fsync of the folder), so a reader
// never sees a half-written file and a returned put() survives a crash. Same bytes, same file: storing
// a photo twice keeps one copy. Thread-safe and safe for several processes sharing the folder.
#include "repositories/photo_store.h"

#include <filesystem>

namespace faceid {

class FilePhotoStore : public PhotoStore {
  public:
    // Creates root if needed and removes temp files that an earlier crash left behind (older than an hour,
    // so that another process's write in progress is never touched).
    explicit FilePhotoStore(std::filesystem::path root);

    // extension: 3-4 letters without the dot, e.g. "jpg"; upper case is folded. Anything else throws
    // Error(kInvalidField).
    std::string put(std::string_view bytes, std::string_view extension) override;
    // These throw Error(kInvalidField) for a key that is_valid_photo_key rejects.
    std::optional<std::string> get(const std::string& key) override;
    std::unique_ptr<PhotoReader> open(const std::string& key) override;
    bool remove(const std::string& key) override;
    bool exists(const std::string& key) override;
    // Size and age (from the file's mtime, which put() refreshes).
    std::optional<PhotoInfo> stat(const std::string& key) override;
    // Walks the folders and adds up the sizes of the stored blobs (cost grows with the number of blobs).
    uint64_t bytes_used() override;
    std::string description() const override;

    const std::filesystem::path& root() const { return root_; }

  private:
    std::filesystem::path path_of(const std::string& key) const;

    std::filesystem::path root_;
};

}  // namespace faceid
