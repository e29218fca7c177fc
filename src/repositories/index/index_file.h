#pragma once
// Binary index files: written to a temporary file beside the target, flushed to disk and renamed over
// it, so a crash leaves either the old file or the new one, never half of one. Reads check every length
// and throw Error(kStorageError) on a short or malformed file instead of reading garbage.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace faceid::index {

// "<path>.tmp-<random>": where a new version of path is written before it replaces path.
std::filesystem::path temporary_path_for(const std::filesystem::path& path);
// Flushes a finished temporary file to disk and renames it over target; removes it and throws
// Error(kStorageError) on failure.
void replace_file(const std::filesystem::path& temporary, const std::filesystem::path& target);

class IndexFileWriter {
  public:
    // Opens "<path>.tmp-<random>" for writing.
    explicit IndexFileWriter(std::filesystem::path path);
    ~IndexFileWriter();  // removes the temporary file if commit() was not reached
    IndexFileWriter(const IndexFileWriter&) = delete;
    IndexFileWriter& operator=(const IndexFileWriter&) = delete;

    void write(const void* data, size_t bytes);
    template <class T>
    void write_pod(const T& value) {
        write(&value, sizeof(T));
    }
    // fsync + rename over the target.
    void commit();

  private:
    std::filesystem::path path_, temp_path_;
    std::FILE* file_ = nullptr;
};

class IndexFileReader {
  public:
    explicit IndexFileReader(const std::filesystem::path& path);
    ~IndexFileReader();
    IndexFileReader(const IndexFileReader&) = delete;
    IndexFileReader& operator=(const IndexFileReader&) = delete;

    void read(void* data, size_t bytes);
    template <class T>
    T read_pod() {
        T value;
        read(&value, sizeof(T));
        return value;
    }
    // Bytes not yet read; lets callers reject a length field larger than the file before allocating.
    uint64_t remaining() const { return size_ - offset_; }
    // Throws unless the whole file has been read.
    void expect_end() const;
    [[noreturn]] void fail(const std::string& what) const;

  private:
    std::filesystem::path path_;
    std::FILE* file_ = nullptr;
    uint64_t size_ = 0, offset_ = 0;
};

}  // namespace faceid::index
