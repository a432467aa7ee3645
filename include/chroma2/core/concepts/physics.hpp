// SPDX-License-Identifier: BSD-3-Clause
// Physics: one step of one photon. The persistent worker calls step() up to its micro-step budget
// per visit and secondary() when a step asks for a child, so any physics (optical, synthetic,
// benchmark) plugs into the same kernel at compile time, with no virtual call on the device.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace chroma2 {

// What one step reports: still alive, or finished with a reason; and whether it emits one
// secondary (at most one per step; the worker builds it with Physics::secondary and gives it an
// id from secondary_photon_id).
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
// is built by the worker per photon visit and lives in registers.
template <RngPolicy Policy>
struct StepContext {
  PhotonRng<Policy>* stream;

  CHROMA2_HD PhotonRng<Policy>& rng() const { return *stream; }
  CHROMA2_HD float uniform() const { return stream->uniform(); }
};

// A type models Physics when it is trivially copyable (kernels take it by value) and has
//   StepResult step(Photon&, StepContext<Philox4x32Policy>&) const   (usually a template on the
//                                                                      context type)
//   Photon secondary(const Photon& parent) const                      (the child's state; the
//                                                                      worker sets id, event,
//                                                                      generation, counters)
template <class P>
concept Physics = std::is_trivially_copyable_v<P> &&
    requires(const P physics, Photon& photon, const Photon& parent,
             StepContext<Philox4x32Policy>& ctx) {
  { physics.step(photon, ctx) } -> std::same_as<StepResult>;
  { physics.secondary(parent) } -> std::same_as<Photon>;
};

// For owners constrained by Physics: a readable message instead of a wall of template errors.
template <class P>
constexpr bool check_physics() {
  static_assert(std::is_trivially_copyable_v<P>,
                "this physics type is not trivially copyable: the worker passes it by value to "
                "kernels, so keep only plain values and device pointers in it");
  static_assert(Physics<P>,
                "this type does not model chroma2::Physics: it needs "
                "`StepResult step(Photon&, StepContext<Policy>&) const` and "
                "`Photon secondary(const Photon&) const` (see core/concepts/physics.hpp)");
  return true;
}

}  // namespace chroma2
