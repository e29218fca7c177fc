#include "vision/model_files.h"

#include "core/error.h"
#include "core/sha256.h"
#include "vision/model_checksums.h"

#include <fstream>
#include <sstream>

namespace faceid {

void ModelFiles::verify() const {
    for (const auto& [file, expected] : kModelChecksums) {
        const auto full = path(std::string(file));
        std::ifstream in(full, std::ios::binary);
        if (!in)
            throw Error(ErrorCode::kModelMissing,
                        "model file " + full.string() + " is missing; run 'make setup' (scripts/setup.sh)",
                        {{"file", std::string(file)}});
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (sha256_hex(bytes.str()) != expected)
            throw Error(ErrorCode::kModelMissing,
                        "model file " + full.string() +
                            " does not match models/SHA256SUMS; delete it and run 'make setup'",
                        {{"file", std::string(file)}});
    }
}

}  // namespace faceid
