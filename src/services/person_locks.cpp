#include "services/person_locks.h"

#include <functional>
#include <utility>

namespace faceid {

size_t PersonLocks::stripe(const std::string& person_id) const {
    return std::hash<std::string>{}(person_id) % stripes_.size();
}

std::unique_lock<std::mutex> PersonLocks::lock(const std::string& person_id) {
    return std::unique_lock(stripes_[stripe(person_id)]);
}

PersonLocks::Pair PersonLocks::lock_both(const std::string& a, const std::string& b) {
    size_t first = stripe(a), second = stripe(b);
    if (first > second) std::swap(first, second);
    std::unique_lock<std::mutex> one(stripes_[first]);
    if (first == second) return Pair(std::move(one), {});  // a std::mutex must not be locked twice
    std::unique_lock<std::mutex> two(stripes_[second]);
    return Pair(std::move(one), std::move(two));
}

}  // namespace faceid
