#include "api/static_files.h"

#include <algorithm>
#include <array>
#include <system_error>
#include <utility>

namespace faceid {

bool StaticFiles::mount(std::string prefix, const std::filesystem::path& folder) {
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) return false;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    mounts_.push_back({std::move(prefix), folder});
    std::stable_sort(mounts_.begin(), mounts_.end(),
                     [](const Mount& a, const Mount& b) { return a.prefix.size() > b.prefix.size(); });
    return true;
}

std::optional<StaticFile> StaticFiles::find(std::string_view path) const {
    if (path.empty() || path.front() != '/') return std::nullopt;
    for (const unsigned char c : path)
        if (c < 0x20 || c == 0x7F || c == '\\') return std::nullopt;
    for (const Mount& mount : mounts_) {
        if (!path.starts_with(mount.prefix)) continue;
        std::string_view rest = path.substr(mount.prefix.size());
        if (!rest.empty() && rest.front() != '/') continue;  // "/docs/assetsX" is not under "/docs/assets"
        // Each segment names an entry of the folder below: "." and empty segments are skipped, ".." is
        // refused outright (no way up, not even back into the mount).
        std::filesystem::path file = mount.folder;
        bool valid = true;
        while (!rest.empty()) {
            rest.remove_prefix(1);
            const size_t slash = rest.find('/');
            const std::string_view segment = rest.substr(0, slash);
            rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
            if (segment.empty() || segment == ".") continue;
            if (segment == "..") {
                valid = false;
                break;
            }
            file /= std::string(segment);
        }
        if (!valid) return std::nullopt;
        std::error_code error;
        if (std::filesystem::is_directory(file, error)) file /= "index.html";
        if (!std::filesystem::is_regular_file(file, error)) continue;
        const auto size = std::filesystem::file_size(file, error);
        if (error) continue;
        return StaticFile{file, content_type_for(file.filename().string()), uint64_t(size)};
    }
    return std::nullopt;
}

std::string content_type_for(std::string_view file_name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes = {{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".y4m", "video/x-yuv4mpeg"},
    }};
    for (const auto& [extension, type] : kTypes)
        if (file_name.ends_with(extension)) return std::string(type);
    return "application/octet-stream";
}

}  // namespace faceid
