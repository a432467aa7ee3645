// SPDX-License-Identifier: BSD-3-Clause
// ISOTROPIC_INIT: a photon submitted with history::isotropic_init gets its direction and
// polarisation drawn on the device at its first step: an isotropic direction and a unit
// polarisation perpendicular to it at a uniformly random azimuth; with history::wavelength_init
// as well, its wavelength too, uniform in a range carried until then in the
// polarisation's x and y (request_isotropic_init writes them). Drawn from the photon's own stream
// in the order of a point source's expansion (direction 2 words, polarisation 1, wavelength 1),
// so a point source expanded now or drawn at the first step gives the same photons; the result
// depends only on (seed, event, id, counter).
#pragma once

#include "chroma2/config/expect.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/sampling.hpp"

namespace chroma2 {

// Asks for direction and polarisation to be drawn at the photon's first step.
CHROMA2_HD inline void request_isotropic_init(Photon& p) { p.history |= history::isotropic_init; }

// Asks for direction, polarisation and a wavelength uniform in [lo_nm, hi_nm] (one draw) to be
// drawn at the photon's first step.
CHROMA2_HD inline void request_isotropic_init(Photon& p, float lo_nm, float hi_nm) {
  p.history |= history::isotropic_init | history::wavelength_init;
  p.polarisation = {lo_nm, hi_nm, 0.0f};
  p.wavelength = lo_nm;
}

// Initialises direction and polarisation (and the wavelength) if the photon asks for it; returns
// whether it did.
template <class PhotonLike, RngPolicy Policy>
CHROMA2_HD bool apply_isotropic_init(PhotonLike& p, PhotonRng<Policy>& rng) {
  if (!(p.history & history::isotropic_init)) return false;
  const float lo_nm = p.polarisation.x, hi_nm = p.polarisation.y;  // (wavelength_init)
  p.direction = rng.isotropic();
  p.polarisation = rng.perpendicular_to(p.direction);
  if (p.history & history::wavelength_init)
    p.wavelength = uniform_between(lo_nm, hi_nm, rng.uniform());
  CHROMA2_EXPECT(std::fabs(dot(p.direction, p.direction) - 1.0f) < 1e-5f &&
                     std::fabs(dot(p.polarisation, p.polarisation) - 1.0f) < 1e-5f &&
                     std::fabs(dot(p.direction, p.polarisation)) < 1e-5f,
                 "isotropic initialisation gives unit, orthogonal direction and polarisation");
  p.history &= ~(history::isotropic_init | history::wavelength_init);
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
  ref.set_wavelength(p.wavelength);
  ref.set_history(p.history);
  ref.set_rng_counter(rng.counter());
  return true;
}

}  // namespace chroma2
