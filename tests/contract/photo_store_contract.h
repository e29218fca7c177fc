#pragma once
// The contract every PhotoStore must keep (the tests are in photo_store_contract.cpp). An implementation
// joins by instantiating PhotoStoreContract with a factory of fresh, empty stores in its own .cpp (see
// file_photo_store_contract.cpp).
#include "repositories/photo_store.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

namespace faceid::testing {

// Owns one empty store and whatever it needs (a temp folder, a server connection).
class PhotoStoreHarness {
  public:
    virtual ~PhotoStoreHarness() = default;
    virtual PhotoStore& store() = 0;
};

struct PhotoStoreFactory {
    std::string name;  // letters, digits and _ only
    std::function<std::unique_ptr<PhotoStoreHarness>()> make;
};

inline void PrintTo(const PhotoStoreFactory& factory, std::ostream* out) {
    *out << factory.name;
}

class PhotoStoreContract : public ::testing::TestWithParam<PhotoStoreFactory> {
  public:
    static std::string name_of(const ::testing::TestParamInfo<PhotoStoreFactory>& info) {
        return info.param.name;
    }

  protected:
    void SetUp() override {
        harness_ = GetParam().make();
        if (!harness_ && !IsSkipped()) FAIL() << "the factory made no store";
    }
    void TearDown() override { harness_.reset(); }
    PhotoStore& store() { return harness_->store(); }

    std::unique_ptr<PhotoStoreHarness> harness_;
};

}  // namespace faceid::testing
