#pragma once
// The shape every contract suite shares (tests/contract): a harness owns one fresh, empty implementation
// and whatever it needs (a temp folder, a test database); a factory names an implementation and makes its
// harnesses; the fixture makes one harness per test. A suite is
//
//   class PhotoStoreContract : public ContractFixture<PhotoStoreHarness> {};
//   INSTANTIATE_TEST_SUITE_P(Files, PhotoStoreContract,
//                            ::testing::Values(HarnessFactory<PhotoStoreHarness>{"files", make}),
//                            PhotoStoreContract::name_of);
//
// A factory whose server is absent GTEST_SKIP()s and returns nullptr (see clickhouse_harness()).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace faceid::testing {

template <class Harness>
struct HarnessFactory {
    std::string name;  // letters, digits and _ only (it becomes part of the test name)
    std::function<std::unique_ptr<Harness>()> make;
};

template <class Harness>
void PrintTo(const HarnessFactory<Harness>& factory, std::ostream* out) {
    *out << factory.name;
}

template <class Harness>
class ContractFixture : public ::testing::TestWithParam<HarnessFactory<Harness>> {
  public:
    static std::string name_of(const ::testing::TestParamInfo<HarnessFactory<Harness>>& info) {
        return info.param.name;
    }

  protected:
    void SetUp() override {
        harness_ = this->GetParam().make();
        if (!harness_ && !this->IsSkipped()) FAIL() << "the factory made no harness";
    }
    void TearDown() override { harness_.reset(); }

    std::unique_ptr<Harness> harness_;
};

}  // namespace faceid::testing
