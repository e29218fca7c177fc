#include "repositories/index/flat_codes.h"

#include <algorithm>
#include <thread>

namespace faceid::index {

size_t code_scan_threads(size_t n) {
    return n >= kParallelScanRows ? std::max(1u, std::thread::hardware_concurrency()) : 1;
}

}  // namespace faceid::index
