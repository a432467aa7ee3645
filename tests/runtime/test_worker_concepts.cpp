// SPDX-License-Identifier: BSD-3-Clause
// The Physics concept: an archetype models it, near misses do not, and the synthetic physics of
// the tests and benchmarks model it.
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/physics/synthetic.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;

namespace {
struct PhysicsArchetype {
  template <class Context>
  StepResult step(Photon&, Context&) const {
    return StepResult::finish(TerminalReason::finished);
  }
  Photon secondary(const Photon& parent) const { return parent; }
};
struct PhysicsNearMiss {  // step returns a bool, not a StepResult; no secondary()
  template <class Context>
  bool step(Photon&, Context&) const {
    return true;
  }
};
struct PhysicsStateful {  // not trivially copyable: kernels could not take it by value
  PhysicsStateful() = default;
  PhysicsStateful(const PhysicsStateful&) {}
  template <class Context>
  StepResult step(Photon&, Context&) const {
    return {};
  }
  Photon secondary(const Photon& parent) const { return parent; }
};
}  // namespace

static_assert(Physics<PhysicsArchetype>);
static_assert(check_physics<PhysicsArchetype>());
static_assert(!Physics<PhysicsNearMiss>);
static_assert(!Physics<PhysicsStateful>);
static_assert(Physics<QueueHarness>);
static_assert(Physics<SyntheticSteps>);
static_assert(std::is_trivially_copyable_v<StepContext<Philox4x32Policy>>);

TEST_CASE("The Physics concept accepts its archetype and rejects near misses",
          "[worker][concepts][host]") {
  CHECK(Physics<PhysicsArchetype>);
  CHECK_FALSE(Physics<PhysicsNearMiss>);
  CHECK_FALSE(Physics<PhysicsStateful>);
  Photon p{};
  PhotonRng<Philox4x32Policy> rng({}, RngKey{1, 2, 3}, 0);
  StepContext<Philox4x32Policy> ctx{&rng};
  const QueueHarness h{2, 1, 1.0f};
  const StepResult a = h.step(p, ctx);
  CHECK(a.reason == TerminalReason::alive);
  CHECK(a.emit_secondary);
  CHECK(p.weight == 1.0f);
}
