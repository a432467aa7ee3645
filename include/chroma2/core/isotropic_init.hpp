// SPDX-License-Identifier: BSD-3-Clause
// ISOTROPIC_INIT: a photon submitted with history::isotropic_init gets its direction and
// polarisation drawn on the device at its first step: an isotropic direction and a unit
// polarisation perpendicular to it at a uniformly random azimuth. Drawn from the photon's own
// stream, so the result depends only on (seed, event, id, counter).
#pragma once

#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/sampling.hpp"

namespace chroma2 {

// Initialises direction and polarisation if the photon asks for it; returns whether it did.
template <class PhotonLike, RngPolicy Policy>
CHROMA2_HD bool apply_isotropic_init(PhotonLike& p, PhotonRng<Policy>& rng) {
  if (!(p.history & history::isotropic_init)) return false;
  p.direction = rng.isotropic();
  p.polarisation = rng.perpendicular_to(p.direction);
  CHROMA2_EXPECT(std::fabs(dot(p.direction, p.direction) - 1.0f) < 1e-5f &&
                     std::fabs(dot(p.polarisation, p.polarisation) - 1.0f) < 1e-5f &&
                     std::fabs(dot(p.direction, p.polarisation)) < 1e-5f,
                 "isotropic initialisation gives unit, orthogonal direction and polarisation");
  p.history &= ~history::isotropic_init;
  return true;
}

// Convenience for a page slot: loads, initialises, stores, and advances the slot's RNG counter.
template <class Layout, RngPolicy Policy>
CHROMA2_HD bool isotropic_init_slot(PhotonRef<Layout> ref, Policy policy, std::uint64_t seed) {
  if (!(ref.history() & history::isotropic_init)) return false;
  Photon p = ref.load();
  PhotonRng<Policy> rng(policy, RngKey{seed, p.id, p.event}, p.rng_counter);
  apply_isotropic_init(p, rng);
  ref.set_direction(p.direction);
  ref.set_polarisation(p.polarisation);
  ref.set_history(p.history);
  ref.set_rng_counter(rng.counter());
  return true;
}

}  // namespace chroma2
