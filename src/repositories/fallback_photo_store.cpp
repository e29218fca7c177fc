#include "repositories/fallback_photo_store.h"

namespace faceid {

FallbackPhotoStore::FallbackPhotoStore(std::unique_ptr<PhotoStore> primary,
                                       std::unique_ptr<PhotoStore> fallback)
    : primary_(std::move(primary)), fallback_(std::move(fallback)) {}

std::string FallbackPhotoStore::put(std::string_view bytes, std::string_view extension) {
    return primary_->put(bytes, extension);
}

std::optional<std::string> FallbackPhotoStore::get(const std::string& key) {
    if (auto bytes = primary_->get(key)) return bytes;
    return fallback_->get(key);
}

std::unique_ptr<PhotoReader> FallbackPhotoStore::open(const std::string& key) {
    if (auto reader = primary_->open(key)) return reader;
    return fallback_->open(key);
}

bool FallbackPhotoStore::remove(const std::string& key) {
    const bool in_primary = primary_->remove(key);
    const bool in_fallback = fallback_->remove(key);
    return in_primary || in_fallback;
}

bool FallbackPhotoStore::exists(const std::string& key) {
    return primary_->exists(key) || fallback_->exists(key);
}

std::optional<PhotoInfo> FallbackPhotoStore::stat(const std::string& key) {
    auto in_primary = primary_->stat(key);
    auto in_fallback = fallback_->stat(key);
    if (!in_primary) return in_fallback;
    // The youngest age: a put to either store counts as recent (the rule reclaim_blobs relies on).
    if (in_fallback && in_fallback->age_seconds < in_primary->age_seconds)
        in_primary->age_seconds = in_fallback->age_seconds;
    return in_primary;
}

uint64_t FallbackPhotoStore::bytes_used() {
    return primary_->bytes_used();
}

std::string FallbackPhotoStore::description() const {
    return primary_->description() + " (reads fall back to " + fallback_->description() + ")";
}

std::vector<StoreOperationStats> FallbackPhotoStore::operation_stats() const {
    auto stats = primary_->operation_stats();
    for (auto& s : fallback_->operation_stats()) stats.push_back(std::move(s));
    return stats;
}

}  // namespace faceid
