// SPDX-License-Identifier: BSD-3-Clause
// Physics: one step of one photon, the whole contract between a physics type and the persistent
// worker. Any physics (optical, synthetic, benchmark) plugs into the same kernel at compile time,
// with no virtual call on the device. This header states what the worker does around each call
// and implements it (take_step, make_secondary), so a driver written elsewhere (a benchmark's
// relaunch loop, a test) keeps the worker's semantics by calling the same two functions.
//
// Units (core/photon.hpp): positions in mm, time in ns, wavelength in nm, directions and
// polarisations unit vectors. Random draws: the context's stream (core/rng/sampling.hpp:
// uniform() on (0, 1], exponential(mean), isotropic(), perpendicular_to(n)); every draw is a pure
// function of (run seed, event, photon id, counter), so never keep random state elsewhere.
//
// Around each call the worker:
//   1. before the first step of a photon whose history has history::isotropic_init, draws its
//      direction and polarisation from its own stream and clears the bit
//      (core/isotropic_init.hpp); step() never sees that bit;
//   2. calls step(photon, ctx) once per step, then take_step's rules: the step is counted
//      (photon.steps + 1), a reason other than alive ends the photon, a photon still alive
//      after max_steps steps ends with TerminalReason::max_steps, and the ending's history bit
//      (history_of) is set;
//   3. if the step asked for a secondary, calls secondary(parent) with the parent's state after
//      that step (steps counted, reason set if it ended), then make_secondary's rules give the
//      child its identity: id = secondary_photon_id(parent id, parent's RNG counter after the
//      step, parent's step count), the parent's event, generation + 1, a fresh stream (counter
//      0), zero steps, alive. At most one secondary per step.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_id.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace chroma2 {

// What one step reports: still alive, or finished with a reason; and whether it emits one
// secondary.
struct StepResult {
  TerminalReason reason = TerminalReason::alive;
  bool emit_secondary = false;

  CHROMA2_HD static constexpr StepResult alive(bool emit = false) {
    return {TerminalReason::alive, emit};
  }
  CHROMA2_HD static constexpr StepResult finish(TerminalReason why, bool emit = false) {
    return {why, emit};
  }
};

// What a step may use besides the photon: its random stream (geometry comes later). The context
// is built by the worker per photon visit and lives in registers. Write step() as a template on
// the context type: the worker's RNG policy is its template parameter.
template <RngPolicy Policy>
struct StepContext {
  PhotonRng<Policy>* stream;

  CHROMA2_HD PhotonRng<Policy>& rng() const { return *stream; }
  CHROMA2_HD float uniform() const { return stream->uniform(); }
};

// An RNG policy that is none of the library's: the Physics concept checks a step against it as
// well, so a step written for one policy (say StepContext<Philox4x32Policy>&) fails at the
// concept instead of deep inside a worker built with another policy.
struct ArchetypeRngPolicy {
  CHROMA2_HD RngBlock draw(RngKey, std::uint32_t counter) const {
    return {{counter, counter, counter, counter}};
  }
};
static_assert(RngPolicy<ArchetypeRngPolicy>);
using ArchetypeStepContext = StepContext<ArchetypeRngPolicy>;

// A type models Physics when it is trivially copyable (kernels take it by value) and has
//   template <class Context> StepResult step(Photon&, Context&) const
//       one step: moves, turns, absorbs... the photon; draws from ctx only
//   Photon secondary(const Photon& parent) const
//       the child's physical state; make_secondary sets its identity
// for both the default context and the archetype context.
template <class P>
concept Physics = std::is_trivially_copyable_v<P> &&
    requires(const P physics, Photon& photon, const Photon& parent,
             StepContext<Philox4x32Policy>& ctx, ArchetypeStepContext& archetype_ctx) {
  { physics.step(photon, ctx) } -> std::same_as<StepResult>;
  { physics.step(photon, archetype_ctx) } -> std::same_as<StepResult>;
  { physics.secondary(parent) } -> std::same_as<Photon>;
};

// A worker built with another policy also needs the step for that policy's context.
template <class P, class Policy>
concept PhysicsFor = Physics<P> && RngPolicy<Policy> &&
    requires(const P physics, Photon& photon, StepContext<Policy>& ctx) {
  { physics.step(photon, ctx) } -> std::same_as<StepResult>;
};

// Step rule 2: one step of `photon`, counted, ended by its reason or by the step cap. Returns the
// step's result with the photon's final reason (alive, the physics' reason, or max_steps).
template <class P, class Context>
CHROMA2_HD CHROMA2_FORCEINLINE StepResult take_step(const P& physics, Photon& photon, Context& ctx,
                                                    std::uint32_t max_steps) {
  StepResult r = physics.step(photon, ctx);
  ++photon.steps;
  if (r.reason == TerminalReason::alive && photon.steps >= max_steps)
    r.reason = TerminalReason::max_steps;
  photon.reason = r.reason;
  photon.history |= history_of(r.reason);
  return r;
}

// Step rule 3: the secondary that `parent` asked for at the step it just took; parent_counter is
// the parent's RNG counter after that step.
template <class P>
CHROMA2_HD CHROMA2_FORCEINLINE Photon make_secondary(const P& physics, const Photon& parent,
                                                     std::uint32_t parent_counter) {
  Photon c = physics.secondary(parent);
  c.id = secondary_photon_id(parent.id, parent_counter, parent.steps);
  c.event = parent.event;
  c.generation = static_cast<std::uint8_t>(parent.generation + 1);
  c.rng_counter = 0;
  c.steps = 0;
  c.reason = TerminalReason::alive;
  return c;
}

// For owners constrained by Physics: a readable message instead of a wall of template errors.
template <class P, class Policy = Philox4x32Policy>
constexpr bool check_physics() {
  static_assert(std::is_trivially_copyable_v<P>,
                "this physics type is not trivially copyable: the worker passes it by value to "
                "kernels, so keep only plain values and device pointers in it");
  static_assert(Physics<P>,
                "this type does not model chroma2::Physics: it needs "
                "`template <class Context> StepResult step(Photon&, Context&) const` (for any "
                "StepContext<Policy>, the archetype's included) and "
                "`Photon secondary(const Photon&) const` (see core/concepts/physics.hpp)");
  static_assert(PhysicsFor<P, Policy>,
                "this physics type has no step() for the worker's RNG policy's StepContext");
  return true;
}

}  // namespace chroma2
