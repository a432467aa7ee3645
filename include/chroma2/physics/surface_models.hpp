// SPDX-License-Identifier: BSD-3-Clause
// What happens to a photon at an optical surface, given the surface's numbers already looked up
// for this photon's wavelength and angle: front- and back-painted reflectors, dielectric–metal
// (with a reflectivity or a complex index) and dichroic filters. Pure per-interaction functions;
// tables and model dispatch live elsewhere. Probabilities are in [0, 1]; vectors are unit vectors.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/physics/detail/interaction_vector.hpp"
#include "chroma2/physics/fresnel.hpp"
#include "chroma2/physics/scattering.hpp"

#include <cmath>
#include <cstdint>

namespace chroma2 {

enum class SurfaceFate : std::uint8_t {
  reflected_specular,
  reflected_diffuse,
  transmitted,
  absorbed,
  detected,
};

// The fate and the photon's new direction and polarisation (unchanged when absorbed or detected).
struct SurfaceOutcome {
  SurfaceFate fate;
  Vec3 direction;
  Vec3 polarisation;
};

// How a reflector reflects: polished = specular (perfect mirror, specular_reflection),
// ground = Lambertian (sample_lambertian).
enum class ReflectorFinish : std::uint8_t { polished, ground };

// A back-painted layer keeps a photon that Fresnel sends back to the paint; after this many paint
// reflections it is absorbed (the bound that keeps a lossless paint under TIR from looping for
// ever). With reflectivity ρ and Fresnel reflectance R back into the layer, the photons cut off
// are a fraction (ρR)^100 of those entering: 3e-31 for ρ = 0.99 and R = 0.5, but 3e-5 for a
// lossless polished paint at grazing incidence (R = 0.9).
inline constexpr int max_paint_bounces = 100;

namespace detail::interaction {

// A reflector's bounce: the mirror about the normal, or a Lambertian draw about it.
template <class Rng>
CHROMA2_HD SurfaceOutcome paint_reflection(Vec3 d, Vec3 E, Vec3 normal, ReflectorFinish finish,
                                           Rng& rng) {
  if (finish == ReflectorFinish::polished) {
    const Beam b = specular_reflection(d, E, normal);
    return {SurfaceFate::reflected_specular, b.direction, b.polarisation};
  }
  const Beam b = sample_lambertian(d, normal, rng);
  return {SurfaceFate::reflected_diffuse, b.direction, b.polarisation};
}

}  // namespace detail::interaction

// Paint on the front of the surface: the photon never enters the next medium. Reflected with
// probability `reflectivity` (specular or Lambertian per finish), else absorbed.
// Draws: one uniform, plus three for a Lambertian reflection.
template <class Rng>
CHROMA2_HD SurfaceOutcome front_painted(Vec3 d, Vec3 E, Vec3 normal, float reflectivity,
                                        ReflectorFinish finish, Rng& rng) {
  if (!(rng.uniform() <= reflectivity)) return {SurfaceFate::absorbed, d, E};
  return detail::interaction::paint_reflection(d, E, normal, finish, rng);
}

// Paint behind a layer of index n_layer (the surface's own index) between the media: Fresnel from
// medium 1 (index n1) into the layer; a photon reflected there leaves specularly. One that enters
// meets the paint (reflectivity, else absorbed; specular or Lambertian per finish) and must pass
// back out through the layer's face by Fresnel; Fresnel reflection there (or TIR) sends it to the
// paint again, up to max_paint_bounces paint reflections, then it is absorbed. The layer is thin:
// no bulk absorption, and the photon leaves where it entered. A photon that gets out is
// reflected_specular for polished paint, reflected_diffuse for ground paint.
// Draws per round: one (Fresnel) + one (paint) [+ three (Lambertian)].
template <class Rng>
CHROMA2_HD SurfaceOutcome back_painted(Vec3 d, Vec3 E, Vec3 normal, float n1, float n_layer,
                                       float reflectivity, ReflectorFinish finish, Rng& rng) {
  const DielectricOutcome entry = interact_dielectric(d, E, normal, n1, n_layer, rng);
  if (entry.reflected) {
    return {SurfaceFate::reflected_specular, entry.direction, entry.polarisation};
  }
  // The paint's normal seen from inside the layer points back towards medium 1.
  const Vec3 up = detail::interaction::facing(normal, d);
  Vec3 dir = entry.direction, pol = entry.polarisation;
  for (int bounce = 0; bounce < max_paint_bounces; ++bounce) {
    if (!(rng.uniform() <= reflectivity)) return {SurfaceFate::absorbed, dir, pol};
    const SurfaceOutcome paint = detail::interaction::paint_reflection(dir, pol, up, finish, rng);
    const DielectricOutcome exit =
        interact_dielectric(paint.direction, paint.polarisation, up, n_layer, n1, rng);
    if (!exit.reflected) return {paint.fate, exit.direction, exit.polarisation};
    dir = exit.direction;
    pol = exit.polarisation;
  }
  return {SurfaceFate::absorbed, dir, pol};
}

// A dielectric–metal boundary given its reflectivity: reflected with probability `reflectivity`
// (specular or Lambertian per finish), else absorbed, and an absorbed photon is detected with
// probability `efficiency` (a photocathode's quantum efficiency; 0 for a plain metal).
// Draws: one, plus one when absorbed, plus three for a Lambertian reflection.
template <class Rng>
CHROMA2_HD SurfaceOutcome dielectric_metal(Vec3 d, Vec3 E, Vec3 normal, float reflectivity,
                                           float efficiency, ReflectorFinish finish, Rng& rng) {
  if (rng.uniform() <= reflectivity) {
    return detail::interaction::paint_reflection(d, E, normal, finish, rng);
  }
  const SurfaceFate fate =
      rng.uniform() <= efficiency ? SurfaceFate::detected : SurfaceFate::absorbed;
  return {fate, d, E};
}

// A smooth dielectric–metal boundary given the metal's complex index n2_re + i n2_im: reflected
// specularly with the reflectance for this photon's polarisation, e_s² R_s + e_p² R_p
// (complex_fresnel_reflectance), else absorbed and then detected with probability `efficiency`.
// The reflected polarisation is ∝ −|r_s| e_s ŝ + |r_p| e_p p̂_r: the amplitudes' magnitudes with
// the perfect mirror's signs (their limit as n2 → ∞); the metal's s–p phase difference, which
// makes the light elliptical, is dropped as under TIR in fresnel.hpp.
// Draws: one, plus one when absorbed.
template <class Rng>
CHROMA2_HD SurfaceOutcome dielectric_metal_complex(Vec3 d, Vec3 E, Vec3 normal, float n1,
                                                   float n2_re, float n2_im, float efficiency,
                                                   Rng& rng) {
  const SpFrame f = sp_frame(d, E, normal);
  const ComplexReflectance r = complex_fresnel_reflectance(f.cos_i, n1, n2_re, n2_im);
  const float reflectance = f.e_s * f.e_s * r.s + f.e_p * f.e_p * r.p;
  if (rng.uniform() <= reflectance) {
    const Vec3 d_r = reflect(d, f.normal);
    const Vec3 p_r = cross(f.s, d_r);
    const Vec3 amp = -std::sqrt(r.s) * f.e_s * f.s + std::sqrt(r.p) * f.e_p * p_r;
    const Vec3 mirror = -f.e_s * f.s + f.e_p * p_r;
    return {SurfaceFate::reflected_specular, d_r,
            detail::interaction::unit_perpendicular(amp, d_r, mirror)};
  }
  const SurfaceFate fate =
      rng.uniform() <= efficiency ? SurfaceFate::detected : SurfaceFate::absorbed;
  return {fate, d, E};
}

// A dichroic filter given its reflectance R and transmittance T for this angle and wavelength:
// specular reflection with probability R, transmission straight through (no refraction: the
// filter is a thin coating between equal media) with probability T, else absorbed. R + T above 1
// is read as T = 1 − R. Draws: one uniform.
template <class Rng>
CHROMA2_HD SurfaceOutcome dichroic(Vec3 d, Vec3 E, Vec3 normal, float reflectance,
                                   float transmittance, Rng& rng) {
  const float u = rng.uniform();
  if (u <= reflectance) {
    const Beam b = specular_reflection(d, E, normal);
    return {SurfaceFate::reflected_specular, b.direction, b.polarisation};
  }
  if (u <= reflectance + transmittance) return {SurfaceFate::transmitted, d, E};
  return {SurfaceFate::absorbed, d, E};
}

}  // namespace chroma2
