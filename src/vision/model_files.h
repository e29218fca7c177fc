#pragma once
// Locates the ONNX model files and checks each against the SHA-256 compiled in from models/SHA256SUMS,
// so that a missing or altered model stops start-up with a message naming the file and the fix.
#include <filesystem>
#include <string>

namespace faceid {

class ModelFiles {
  public:
    explicit ModelFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}

    const std::filesystem::path& dir() const { return dir_; }
    // Path of a model file, e.g. path("fr_detect.onnx").
    std::filesystem::path path(const std::string& file) const { return dir_ / file; }
    // Throws Error(kModelMissing) naming the first missing or altered file and the fix.
    void verify() const;

  private:
    std::filesystem::path dir_;
};

}  // namespace faceid
