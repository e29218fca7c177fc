#pragma once
// The contract every PhotoStore must keep (the tests are in photo_store_contract.cpp). An implementation
// joins by instantiating PhotoStoreContract with a factory of fresh, empty stores in its own .cpp (see
// file_photo_store_contract.cpp).
#include "repositories/photo_store.h"

#include "support/contract_fixture.h"

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

using PhotoStoreFactory = HarnessFactory<PhotoStoreHarness>;

class PhotoStoreContract : public ContractFixture<PhotoStoreHarness> {
  protected:
    PhotoStore& store() { return harness_->store(); }
};

}  // namespace faceid::testing
