#pragma once
// The static files the service serves without a key: the page (web/) at "/" and Swagger UI's files at
// "/docs/assets". Maps a decoded request path to a regular file inside a mounted folder, never outside it
// (no "..", no control characters), with the content type from its extension.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceid {

struct StaticFile {
    std::filesystem::path path;
    std::string content_type;
    uint64_t size = 0;
};

class StaticFiles {
  public:
    // Serves `folder` under the URL prefix (e.g. "/docs/assets"); false when the folder does not exist.
    bool mount(std::string prefix, const std::filesystem::path& folder);
    // The file for this path (a folder gives its index.html), or nothing.
    std::optional<StaticFile> find(std::string_view path) const;

  private:
    struct Mount {
        std::string prefix;  // without a trailing '/'; "" for the root
        std::filesystem::path folder;
    };
    std::vector<Mount> mounts_;  // longest prefix first
};

// The content type of a file name's extension ("application/octet-stream" when unknown).
std::string content_type_for(std::string_view file_name);

}  // namespace faceid
