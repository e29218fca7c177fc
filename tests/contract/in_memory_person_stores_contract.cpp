// The in-memory fake of the person stores (tests/support) joins the person-job contracts, so that service
// tests that use it rely on the promised behaviour only.
#include "contract/person_repository_contract.h"
#include "support/in_memory_person_stores.h"

namespace faceid::testing {
namespace {

class InMemoryHarness : public PersonStoresHarness {
  public:
    PersonStores stores() override { return stores_.stores(); }

  private:
    InMemoryPersonStores stores_;
};

FACEID_INSTANTIATE_PERSON_JOB_CONTRACTS(
    InMemory, (PersonStoresFactory{"in_memory", [] { return std::make_unique<InMemoryHarness>(); }}));

}  // namespace
}  // namespace faceid::testing
