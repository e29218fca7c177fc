#include "repositories/index/index_factory.h"

#include "core/error.h"
#include "repositories/index/auto_index.h"
#include "repositories/index/flat_index.h"

namespace faceid {

std::unique_ptr<VectorIndex> make_vector_index(const IndexConfig& config) {
    if (config.kind == "flat") return std::make_unique<index::FlatIndex>(config.dim);
    if (config.kind == "flat16")
        return std::make_unique<index::FlatIndex>(config.dim, index::FlatScan::kFloat16);
    if (config.kind == "flat8") return std::make_unique<index::FlatIndex>(config.dim, index::FlatScan::kInt8);
    if (config.kind == "hnsw") return std::make_unique<index::HnswIndex>(config.dim, config.hnsw);
    if (config.kind == "auto") {
        index::HnswIndex validate(config.dim, config.hnsw);  // reject bad parameters now, not at the switch
        return std::make_unique<index::AutoIndex>(config.dim, config.auto_threshold, config.hnsw);
    }
    throw Error(ErrorCode::kInvalidField,
                "unknown index kind '" + config.kind + "' (flat, flat16, flat8, hnsw or auto)",
                {{"field", "index.kind"}});
}

}  // namespace faceid
