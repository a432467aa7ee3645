// SPDX-License-Identifier: BSD-3-Clause
// The small contracts OpticalPhysics is assembled from, so that a user replaces one process by
// writing one trivially copyable type and keeps the rest, with no kernel edit:
//   - ScatteringProcess: a bulk scattering (Rayleigh by default; Henyey–Greenstein in the ice
//     example): its mean free path and the new direction and polarisation;
//   - SurfaceModelFor<M, Surface>: one surface model of the boundary process, chosen at run time
//     by the surface's model id (a switch over the compile-time list of models, no virtual call).
// Units: mm, nm, ns. Random draws: rng.uniform() on (0, 1] (core/rng/sampling.hpp); a process
// draws only from the stream it is given.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/vec.hpp"

#include <concepts>
#include <cstdint>
#include <type_traits>

namespace chroma2 {

// A direction with its polarisation: one outgoing beam (both unit vectors, perpendicular).
struct Beam {
  Vec3 direction;
  Vec3 polarisation;
};

// Where a photon goes from a boundary.
enum class BoundaryFate : std::uint8_t {
  back,      // reflected (or re-emitted) into the medium it came from
  across,    // refracted or transmitted into the medium beyond
  absorbed,  // ends on the surface
  detected,  // ends on the surface as a hit
};

// What a surface model is told about one encounter. The photon itself (direction, polarisation,
// wavelength, time, history) is passed beside it and updated in place.
struct BoundaryInput {
  Vec3 normal;  // unit; points back into the medium the photon comes from (dot(d, normal) < 0)
  float n1;     // refractive index of that medium at the photon's wavelength
  float n2;     // refractive index of the medium beyond
  std::int32_t surface;  // surface id of the triangle hit (>= 0 when a surface model is asked)
  std::int32_t channel;  // detector channel of the placement hit, −1 for none
};

// The archetype random stream: all a process may ask of its stream. Declared, never defined: it
// exists to check concepts with.
struct ArchetypeUniformRng {
  CHROMA2_HD float uniform();
};

// A bulk scattering process. mean_free_path gets the material's tabulated scattering length at
// the photon's wavelength (mm; +inf where none) and returns the one to use; scatter returns the
// new beam. The worker counts the scattering in history with P::history_bit.
template <class P>
concept ScatteringProcess = std::is_trivially_copyable_v<P> &&
    requires(const P p, float length_mm, float wavelength_nm, Vec3 v, ArchetypeUniformRng& rng) {
  { p.mean_free_path(length_mm, wavelength_nm) } -> std::convertible_to<float>;
  { p.scatter(v, v, rng) } -> std::same_as<Beam>;
  { P::history_bit } -> std::convertible_to<std::uint32_t>;
};

// One surface model over surface records of type Surface: M::model is the id a surface record
// names it by; interact updates the photon (direction, polarisation, and where the model says so
// wavelength, time and history bits) and says where it goes.
template <class M, class Surface>
concept SurfaceModelFor = std::is_trivially_copyable_v<M> &&
    requires(const M m, const Surface& s, const BoundaryInput& in, Photon& p,
             ArchetypeUniformRng& rng) {
  { M::model } -> std::convertible_to<std::uint32_t>;
  { m.interact(s, in, p, rng) } -> std::same_as<BoundaryFate>;
};

}  // namespace chroma2
