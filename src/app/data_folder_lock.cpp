#include "app/data_folder_lock.h"

#include "core/error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace faceid::app {

DataFolderLock::DataFolderLock(const std::filesystem::path& data_dir, const std::string& command,
                               const std::string& advice) {
    const auto file = data_dir / "faceid.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(ErrorCode::kStorageError, "cannot open " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        char holder[128] = {};
        [[maybe_unused]] const auto got = ::pread(fd_, holder, sizeof holder - 1, 0);
        std::string who(holder);
        while (!who.empty() && (who.back() == '\n' || who.back() == '\0')) who.pop_back();
        ::close(fd_);
        fd_ = -1;
        if (error != EWOULDBLOCK)
            throw Error(ErrorCode::kStorageError,
                        "cannot lock " + file.string() + ": " + std::strerror(error));
        throw Error(ErrorCode::kConflict,
                    "the data folder " + data_dir.string() + " is in use by another faceid process" +
                        (who.empty() ? std::string() : " (" + who + ")") + ": " + advice);
    }
    const std::string holder = "pid " + std::to_string(::getpid()) + ", faceid " + command + "\n";
    if (::ftruncate(fd_, 0) == 0) {
        [[maybe_unused]] const auto written = ::pwrite(fd_, holder.data(), holder.size(), 0);
    }
}

DataFolderLock::~DataFolderLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays (removing it would race a new holder)
}

std::unique_ptr<DataFolderLock> lock_data_folder(const AppConfig& config, const std::string& command,
                                                 const std::string& advice) {
    if (config.storage != "sqlite") return nullptr;
    std::filesystem::create_directories(config.data_dir);
    return std::make_unique<DataFolderLock>(config.data_dir, command, advice);
}

}  // namespace faceid::app
