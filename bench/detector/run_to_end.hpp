// SPDX-License-Identifier: BSD-3-Clause
// The one-photon driver of the detector benchmarks (a GPU thread or a CPU task per photon): the
// photon's first-step initialisation, then the worker's own step rules (take_step) until it ends,
// its stream position written back — the same photon the persistent worker makes, by construction.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/rng/philox.hpp"

#include <cstdint>

namespace chroma2::bench {

template <class P>
CHROMA2_HD void run_to_end(const P& physics, Photon& p, std::uint64_t seed,
                           std::uint32_t max_steps) {
  PhotonRng<Philox4x32Policy> rng({}, RngKey{seed, p.id, p.event}, p.rng_counter);
  apply_isotropic_init(p, rng);
  StepContext<Philox4x32Policy> ctx{&rng};
  while (take_step(physics, p, ctx, max_steps).reason == TerminalReason::alive) {
  }
  p.rng_counter = rng.counter();
}

}  // namespace chroma2::bench
