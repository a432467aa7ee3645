// SPDX-License-Identifier: BSD-3-Clause
// Stateless drivers outside the persistent worker, for baselines and tests: one step of a photon
// with its stream rebuilt from its counter (the rule of a driver that relaunches a kernel per
// step), and one photon taken to its end with one stream. Both apply the worker's first-step
// initialisation and its step rules (take_step), and store the stream's position back, so they end
// a photon as the worker does: a stream resumes exactly at any word (core/rng/sampling.hpp).
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/concepts/rng_policy.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/philox.hpp"

#include <cstdint>

namespace chroma2 {

// One step of p; returns whether it is still alive.
template <class P, RngPolicy Policy = Philox4x32Policy>
CHROMA2_HD bool step_once(const P& physics, Photon& p, std::uint64_t seed, std::uint32_t max_steps,
                          Policy policy = {}) {
  PhotonRng<Policy> rng(policy, RngKey{seed, p.id, p.event}, p.rng_counter);
  apply_isotropic_init(p, rng);
  StepContext<Policy> ctx{&rng};
  const bool alive = take_step(physics, p, ctx, max_steps).reason == TerminalReason::alive;
  p.rng_counter = rng.counter();
  return alive;
}

// Every remaining step of p.
template <class P, RngPolicy Policy = Philox4x32Policy>
CHROMA2_HD void run_to_end(const P& physics, Photon& p, std::uint64_t seed, std::uint32_t max_steps,
                           Policy policy = {}) {
  PhotonRng<Policy> rng(policy, RngKey{seed, p.id, p.event}, p.rng_counter);
  apply_isotropic_init(p, rng);
  StepContext<Policy> ctx{&rng};
  while (take_step(physics, p, ctx, max_steps).reason == TerminalReason::alive) {
  }
  p.rng_counter = rng.counter();
}

}  // namespace chroma2
