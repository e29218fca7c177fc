#include "repositories/index/index_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <random>

#include "core/error.h"

namespace faceid::index {

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
    std::random_device random;
    std::filesystem::path temp = path;
    temp += ".tmp-" + std::to_string(random());
    return temp;
}

void replace_file(const std::filesystem::path& temporary, const std::filesystem::path& target) {
    const int fd = ::open(temporary.c_str(), O_RDONLY);
    bool ok = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    std::error_code error;
    if (ok) std::filesystem::rename(temporary, target, error);
    if (!ok || error) {
        std::filesystem::remove(temporary, error);
        throw Error(ErrorCode::kStorageError, "cannot write index file " + target.string());
    }
}

IndexFileWriter::IndexFileWriter(std::filesystem::path path)
    : path_(std::move(path)), temp_path_(temporary_path_for(path_)) {
    file_ = std::fopen(temp_path_.c_str(), "wb");
    if (!file_) throw Error(ErrorCode::kStorageError, "cannot write index file " + temp_path_.string());
}

IndexFileWriter::~IndexFileWriter() {
    if (file_) {
        std::fclose(file_);
        std::error_code ignored;
        std::filesystem::remove(temp_path_, ignored);
    }
}

void IndexFileWriter::write(const void* data, size_t bytes) {
    if (bytes && std::fwrite(data, 1, bytes, file_) != bytes)
        throw Error(ErrorCode::kStorageError, "cannot write index file " + temp_path_.string());
}

void IndexFileWriter::commit() {
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) {
        std::error_code ignored;
        std::filesystem::remove(temp_path_, ignored);
        throw Error(ErrorCode::kStorageError, "cannot write index file " + path_.string());
    }
    replace_file(temp_path_, path_);
}

IndexFileReader::IndexFileReader(const std::filesystem::path& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw Error(ErrorCode::kStorageError, "cannot open index file " + path.string());
    std::error_code error;
    size_ = std::filesystem::file_size(path, error);
    if (error) {
        std::fclose(file_);
        throw Error(ErrorCode::kStorageError, "cannot open index file " + path.string());
    }
}

IndexFileReader::~IndexFileReader() {
    std::fclose(file_);
}

void IndexFileReader::read(void* data, size_t bytes) {
    if (bytes > remaining() || std::fread(data, 1, bytes, file_) != bytes) fail("truncated");
    offset_ += bytes;
}

void IndexFileReader::expect_end() const {
    if (remaining() != 0) fail("unexpected bytes after the end");
}

void IndexFileReader::fail(const std::string& what) const {
    throw Error(ErrorCode::kStorageError, "index file " + path_.string() + " is invalid: " + what);
}

}  // namespace faceid::index
