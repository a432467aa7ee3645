// SPDX-License-Identifier: BSD-3-Clause
// The Physics concept: an archetype models it, near misses do not (a step written for one RNG
// policy among them), the synthetic physics of the tests and benchmarks model it; and the step
// rules the worker and every driver share (take_step, make_secondary).
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
struct PhysicsForPhiloxOnly {  // step() names one RNG policy: fails at the concept
  StepResult step(Photon&, StepContext<Philox4x32Policy>&) const { return {}; }
  Photon secondary(const Photon& parent) const { return parent; }
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
static_assert(!Physics<PhysicsForPhiloxOnly>);
static_assert(PhysicsFor<SyntheticSteps, ArchetypeRngPolicy>);
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

TEST_CASE("take_step counts the step and ends a photon by its reason or at the step cap",
          "[worker][concepts][host]") {
  PhotonRng<Philox4x32Policy> rng({}, RngKey{1, 2, 3}, 0);
  StepContext<Philox4x32Policy> ctx{&rng};
  const QueueHarness h{5, 0, 1.0f};  // alive for 4 steps, finished at the 5th
  Photon p{};
  StepResult r = take_step(h, p, ctx, 3);
  CHECK(p.steps == 1);
  CHECK(r.reason == TerminalReason::alive);
  CHECK(p.reason == TerminalReason::alive);
  take_step(h, p, ctx, 3);
  r = take_step(h, p, ctx, 3);  // the third step reaches the cap of 3
  CHECK(p.steps == 3);
  CHECK(r.reason == TerminalReason::max_steps);
  CHECK(p.reason == TerminalReason::max_steps);
  Photon q{};
  for (int k = 0; k < 4; ++k) r = take_step(h, q, ctx, 100);
  CHECK(r.reason == TerminalReason::alive);
  r = take_step(h, q, ctx, 5);  // the physics' own end wins over the cap reached at this step
  CHECK(q.steps == 5);
  CHECK(r.reason == TerminalReason::finished);
  CHECK(q.reason == TerminalReason::finished);
}

TEST_CASE("make_secondary gives a child its identity from the parent's id, counter and step",
          "[worker][concepts][host]") {
  const QueueHarness h{4, 1, 1.0f};
  Photon parent{};
  parent.id = 77;
  parent.event = 5;
  parent.generation = 0;
  parent.steps = 12;
  parent.weight = 3.0f;
  parent.reason = TerminalReason::finished;
  parent.rng_counter = 40;
  const Photon c = make_secondary(h, parent, 9);
  CHECK(c.id == secondary_photon_id(77, 9, 12));
  CHECK(c.id != parent.id);
  CHECK(c.event == 5);
  CHECK(c.generation == 1);
  CHECK(c.rng_counter == 0);
  CHECK(c.steps == 0);
  CHECK(c.reason == TerminalReason::alive);
  CHECK(c.weight == 0.0f);  // the physics' part: QueueHarness zeroes a child's weight
  CHECK(make_secondary(h, parent, 10).id != c.id);
}
