#include "repositories/files/file_photo_store.h"

#include "core/error.h"
#include "core/ids.h"
#include "core/sha256.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

namespace faceid {

namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

// The message names the file for the server's log; the API sends clients only the code's own message.
[[noreturn]] void throw_io_error(const std::string& what, const std::filesystem::path& path, int error) {
    const bool full = error == ENOSPC || error == EDQUOT;
    throw Error(full ? ErrorCode::kInsufficientStorage : ErrorCode::kStorageError,
                what + " " + path.string() + ": " + std::strerror(error));
}

// Closes a file descriptor on every path out of a scope.
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }
    // Closes now and reports the error close() gives (it can be the first sign of a failed write).
    int close() {
        int rc = ::close(fd_);
        fd_ = -1;
        return rc == 0 ? 0 : errno;
    }

  private:
    int fd_;
};

// Makes a rename or unlink inside folder durable.
void fsync_directory(const std::filesystem::path& folder) {
    FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) throw_io_error("cannot open folder", folder, errno);
    if (::fsync(fd.get()) != 0) throw_io_error("cannot fsync folder", folder, errno);
}

void write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
    while (!bytes.empty()) {
        ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw_io_error("cannot write", path, errno);
        }
        bytes.remove_prefix(size_t(written));
    }
}

void remove_stale_temp_files(const std::filesystem::path& root) {
    using namespace std::chrono;
    std::error_code ec;
    auto now = std::filesystem::file_time_type::clock::now();
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec) || !it->path().filename().string().starts_with(kTempPrefix)) continue;
        auto written = it->last_write_time(ec);
        if (!ec && now - written > hours(1)) std::filesystem::remove(it->path(), ec);
    }
}

}  // namespace

FilePhotoStore::FilePhotoStore(std::filesystem::path root) : root_(std::move(root)) {
    std::error_code ec;
    std::filesystem::create_directories(root_, ec);
    if (ec || !std::filesystem::is_directory(root_))
        throw Error(ErrorCode::kStorageError, "cannot create the photo folder " + root_.string());
    remove_stale_temp_files(root_);
}

std::filesystem::path FilePhotoStore::path_of(const std::string& key) const {
    return root_ / key.substr(0, 2) / key;
}

std::string FilePhotoStore::put(std::string_view bytes, std::string_view extension) {
    std::string key = checked_photo_key(bytes, extension);
    std::filesystem::path target = path_of(key);
    std::filesystem::path folder = target.parent_path();

    // Same bytes already stored: keep the file, but make it new again, so that a process that is about to
    // delete it as unreferenced sees a fresh blob and waits (Gallery::reclaim_blobs). If it vanished
    // meanwhile, write it again below.
    if (::utimensat(AT_FDCWD, target.c_str(), nullptr, 0) == 0) return key;

    std::error_code ec;
    if (std::filesystem::create_directory(folder, ec)) fsync_directory(root_);  // the new folder's entry
    if (ec) throw_io_error("cannot create folder", folder, ec.value());

    std::filesystem::path temp = folder / (std::string(kTempPrefix) + random_hex(8));
    FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) throw_io_error("cannot create", temp, errno);
    try {
        write_all(fd.get(), bytes, temp);
        if (::fsync(fd.get()) != 0) throw_io_error("cannot fsync", temp, errno);
        if (int error = fd.close()) throw_io_error("cannot close", temp, error);
        // rename() replaces atomically: a concurrent put of the same bytes just writes the same file again.
        if (::rename(temp.c_str(), target.c_str()) != 0) throw_io_error("cannot rename to", target, errno);
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    fsync_directory(folder);
    return key;
}

std::optional<std::string> FilePhotoStore::get(const std::string& key) {
    require_valid_photo_key(key);
    std::filesystem::path path = path_of(key);
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw_io_error("cannot open", path, errno);
    }
    std::string bytes;
    char buffer[65536];
    for (;;) {
        ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw_io_error("cannot read", path, errno);
        }
        if (got == 0) break;
        bytes.append(buffer, size_t(got));
    }
    return bytes;
}

bool FilePhotoStore::remove(const std::string& key) {
    require_valid_photo_key(key);
    std::filesystem::path path = path_of(key);
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return false;
        throw_io_error("cannot remove", path, errno);
    }
    fsync_directory(path.parent_path());
    return true;
}

bool FilePhotoStore::exists(const std::string& key) {
    require_valid_photo_key(key);
    struct stat info {};
    return ::stat(path_of(key).c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::optional<PhotoInfo> FilePhotoStore::stat(const std::string& key) {
    require_valid_photo_key(key);
    struct stat info {};
    if (::stat(path_of(key).c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const double age = double(now.tv_sec - info.st_mtim.tv_sec) + (now.tv_nsec - info.st_mtim.tv_nsec) / 1e9;
    return PhotoInfo{uint64_t(info.st_size), age};
}

namespace {

// Reads a file with pread() at any offset; the open descriptor keeps the bytes readable even if the file is
// removed while a download is in progress.
class FileReader : public PhotoReader {
  public:
    FileReader(int fd, uint64_t size, std::filesystem::path path)
        : fd_(fd), size_(size), path_(std::move(path)) {}
    ~FileReader() override { ::close(fd_); }
    uint64_t size() const override { return size_; }
    size_t read(uint64_t offset, char* out, size_t max) override {
        if (offset >= size_) return 0;
        for (;;) {
            const ssize_t got = ::pread(fd_, out, std::min<uint64_t>(max, size_ - offset), off_t(offset));
            if (got >= 0) return size_t(got);
            if (errno != EINTR) throw_io_error("cannot read", path_, errno);
        }
    }

  private:
    int fd_;
    uint64_t size_;
    std::filesystem::path path_;
};

}  // namespace

std::unique_ptr<PhotoReader> FilePhotoStore::open(const std::string& key) {
    require_valid_photo_key(key);
    std::filesystem::path path = path_of(key);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return nullptr;
        throw_io_error("cannot open", path, errno);
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int error = errno;
        ::close(fd);
        throw_io_error("cannot stat", path, error);
    }
    return std::make_unique<FileReader>(fd, uint64_t(info.st_size), path);
}

std::string FilePhotoStore::description() const {
    return "files " + root_.string();
}

uint64_t FilePhotoStore::bytes_used() {
    uint64_t total = 0;
    std::error_code ec;
    // Tolerates blobs removed while walking; counts only files named like keys (not temp files).
    for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code entry_error;
        if (!it->is_regular_file(entry_error) || !is_valid_photo_key(it->path().filename().string()))
            continue;
        uint64_t size = it->file_size(entry_error);
        if (!entry_error) total += size;
    }
    return total;
}

}  // namespace faceid
