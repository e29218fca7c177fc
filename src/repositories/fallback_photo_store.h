#pragma once
// A PhotoStore during a switch-over from one store to another (`faceid photos migrate`): writes go to the
// new store; a read the new store cannot answer (the blob is not copied yet) is answered by the old one, so
// replicas keep showing every photo while the copy runs. Removal removes from both, so that a photo deleted
// during the migration does not come back from the old store. Composed like FAISS wraps indexes: the two
// stores know nothing of each other.
#include "repositories/photo_store.h"

#include <memory>

namespace faceid {

class FallbackPhotoStore : public PhotoStore {
  public:
    FallbackPhotoStore(std::unique_ptr<PhotoStore> primary, std::unique_ptr<PhotoStore> fallback);

    std::string put(std::string_view bytes, std::string_view extension) override;
    std::optional<std::string> get(const std::string& key) override;
    std::unique_ptr<PhotoReader> open(const std::string& key) override;
    bool remove(const std::string& key) override;
    bool exists(const std::string& key) override;
    std::optional<PhotoInfo> stat(const std::string& key) override;
    // The new store's bytes (the old one's are going away).
    uint64_t bytes_used() override;
    std::string description() const override;
    std::vector<StoreOperationStats> operation_stats() const override;
    bool remote() const override { return primary_->remote() || fallback_->remote(); }

    PhotoStore& primary() { return *primary_; }
    PhotoStore& fallback() { return *fallback_; }

  private:
    std::unique_ptr<PhotoStore> primary_;
    std::unique_ptr<PhotoStore> fallback_;
};

}  // namespace faceid
