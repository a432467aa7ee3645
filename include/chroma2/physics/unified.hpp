// SPDX-License-Identifier: BSD-3-Clause
// The UNIFIED model of a rough dielectric boundary (Levin & Moisan, IEEE NSS 1996; the semantics
// of Geant4's optical boundary process): micro-facets tilted from the mean normal by α with a
// Gaussian density per solid angle of width σα (radians), Fresnel optics on the facet, and the
// choice among spike, lobe, backscatter and Lambertian reflection. All vectors are unit vectors.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/physics/detail/interaction_vector.hpp"
#include "chroma2/physics/fresnel.hpp"
#include "chroma2/physics/scattering.hpp"

#include <cmath>
#include <cstdint>

namespace chroma2 {

// Bounds on the two loops below. Each facet attempt is accepted with probability ≥ (2/π)·P(the
// facet faces the photon) ≥ (2/π)·(1/2) for any incidence, so running out of 1024 attempts has
// probability < 1e-170; a photon that does (or that needs more than 100 facet bounces) gets the
// documented fallback instead of an unbounded loop.
inline constexpr int max_facet_attempts = 1024;
inline constexpr int max_unified_bounces = 100;

// A facet normal about the mean normal n̂ (turned against d): polar angle α with density
// ∝ exp(−α²/2σα²) sin α on (0, π/2), i.e. Gaussian in α per unit solid angle, azimuth uniform;
// facets with d·n_f ≥ 0 (facing away from the photon, which cannot hit them) are drawn again.
//
// Sampling is exact, by rejection with a proven rate: exp(−α²/2σ²) sin α
// = [α exp(−α²/2σ²)]·[sin α / α]. The first factor is a Rayleigh density truncated to (0, π/2],
// drawn by inverting its CDF: exp(−α²/2σ²) = q + (1 − q)u with q = exp(−π²/8σ²), u ∈ (0, 1].
// The second is accepted with probability sin α / α ≥ 2/π (sin is concave on [0, π/2]).
// σα ≤ 0 is a polished surface: n̂ itself, with no draw. Draws: two per attempt, plus one for the
// azimuth of an accepted α. Fallback after max_facet_attempts: n̂.
template <class Rng>
CHROMA2_HD Vec3 sample_facet_normal(Vec3 d, Vec3 mean_normal, float sigma_alpha, Rng& rng) {
  namespace di = detail::interaction;
  const Vec3 n = di::facing(mean_normal, d);
  if (!(sigma_alpha > 0.0f)) return n;
  const float k = di::pi * di::pi / (8.0f * sigma_alpha * sigma_alpha);  // π²/8σ²
  const float q = std::exp(-k);
  const float z = -std::expm1(-k);  // 1 − q without cancellation for large σα
  const OrthonormalBasis b = basis_around(n);
  for (int attempt = 0; attempt < max_facet_attempts; ++attempt) {
    const float u1 = rng.uniform();
    const float u2 = rng.uniform();
    const float alpha = di::clamp(
        sigma_alpha * std::sqrt(std::fmax(0.0f, -2.0f * std::log(q + z * u1))), 0.0f, di::half_pi);
    const float sa = std::sin(alpha);
    if (u2 * alpha > sa) continue;
    const float phi = two_pi * rng.uniform();
    const Vec3 facet = std::cos(alpha) * n + sa * (std::cos(phi) * b.e1 + std::sin(phi) * b.e2);
    if (dot(d, facet) < 0.0f) return facet;
  }
  return n;
}

// One facet, then Fresnel on it (interact_dielectric with the facet normal): the single-facet
// model. The outgoing direction may point below the mean surface (a lobe reflection off a steep
// facet); interact_unified follows such photons. σα ≤ 0 draws no facet, so the outcome and the
// draws consumed are exactly interact_dielectric's on the mean normal.
template <class Rng>
CHROMA2_HD DielectricOutcome interact_unified_facet(Vec3 d, Vec3 E, Vec3 mean_normal, float n1,
                                                    float n2, float sigma_alpha, Rng& rng) {
  const Vec3 facet = sample_facet_normal(d, mean_normal, sigma_alpha, rng);
  return interact_dielectric(d, E, facet, n1, n2, rng);
}

enum class ReflectionType : std::uint8_t { spike, lobe, backscatter, lambertian };

// Probabilities of the reflection types of a reflected photon; Lambertian takes the remainder
// 1 − spike − lobe − backscatter (so all zero means Lambertian, Geant4's default).
struct ReflectionProbabilities {
  float spike;
  float lobe;
  float backscatter;
};

struct SelectedReflection {
  ReflectionType type;
  Beam beam;
};

// Which reflection, and where to: spike = specular about the mean normal, lobe = specular about
// the facet normal, backscatter = back along −d, Lambertian = cos θ about the mean normal. The
// polarisation is the perfect mirror's, E′ = −E + 2(E·n)n about that normal (backscatter: −E;
// Lambertian: random transverse). Draws: one uniform, plus three for Lambertian.
template <class Rng>
CHROMA2_HD SelectedReflection select_reflection(Vec3 d, Vec3 E, Vec3 mean_normal, Vec3 facet_normal,
                                                ReflectionProbabilities prob, Rng& rng) {
  const float u = rng.uniform();
  const float spike = prob.spike;
  const float lobe = spike + prob.lobe;
  const float back = lobe + prob.backscatter;
  if (u <= spike) return {ReflectionType::spike, specular_reflection(d, E, mean_normal)};
  if (u <= lobe) return {ReflectionType::lobe, specular_reflection(d, E, facet_normal)};
  if (u <= back) return {ReflectionType::backscatter, {-d, -E}};
  return {ReflectionType::lambertian, sample_lambertian(d, mean_normal, rng)};
}

struct UnifiedOutcome {
  Vec3 direction;
  Vec3 polarisation;
  ReflectionType type;  // of the final reflection (spike when polished; meaningless if refracted)
  bool reflected;       // ends in medium 1 (the incident side); false: in medium 2
  bool total_internal;  // the final Fresnel step was total internal reflection
  bool absorbed;        // ran out of max_unified_bounces: the caller absorbs the photon
};

// The full UNIFIED interaction at a ground dielectric–dielectric boundary. Each round: a facet
// (sample_facet_normal), Fresnel on it; a reflected photon takes its type from select_reflection,
// with the spike's and lobe's polarisation from the Fresnel amplitudes on the mean and facet
// normal (the mirror's for backscatter, random for Lambertian). As in Geant4, a photon whose new
// direction does not leave the surface on its side (a lobe reflected into it, or a refracted ray
// heading back across the mean plane) meets the surface again: reflected, from the same side;
// refracted, from the other side with the indices swapped. σα ≤ 0 is the polished surface:
// exactly interact_dielectric on the mean normal (same outcome, same draws, type spike).
template <class Rng>
CHROMA2_HD UnifiedOutcome interact_unified(Vec3 d, Vec3 E, Vec3 mean_normal, float n1, float n2,
                                           float sigma_alpha, ReflectionProbabilities prob,
                                           Rng& rng) {
  if (!(sigma_alpha > 0.0f)) {
    const DielectricOutcome o = interact_dielectric(d, E, mean_normal, n1, n2, rng);
    return {.direction = o.direction,
            .polarisation = o.polarisation,
            .type = ReflectionType::spike,
            .reflected = o.reflected,
            .total_internal = o.total_internal,
            .absorbed = false};
  }
  Vec3 side = detail::interaction::facing(mean_normal, d);  // into the photon's current medium
  float n_here = n1, n_there = n2;
  bool in_first = true;
  for (int bounce = 0; bounce < max_unified_bounces; ++bounce) {
    const Vec3 facet = sample_facet_normal(d, side, sigma_alpha, rng);
    const DielectricBoundary b = dielectric_boundary(d, E, facet, n_here, n_there);
    const bool tir = b.coefficients.total_internal;
    const float u = rng.uniform();
    if (tir || u <= b.reflectance()) {
      SelectedReflection sel = select_reflection(d, E, side, facet, prob, rng);
      if (sel.type == ReflectionType::lobe) {
        sel.beam = b.reflected();
      } else if (sel.type == ReflectionType::spike) {
        sel.beam = dielectric_boundary(d, E, side, n_here, n_there).reflected();
      }
      d = sel.beam.direction;
      E = sel.beam.polarisation;
      if (dot(d, side) >= 0.0f) return {d, E, sel.type, in_first, tir, false};
    } else {
      const Beam t = b.refracted();
      d = t.direction;
      E = t.polarisation;
      side = -side;
      const float n_swap = n_here;
      n_here = n_there;
      n_there = n_swap;
      in_first = !in_first;
      if (dot(d, side) >= 0.0f) return {d, E, ReflectionType::spike, in_first, false, false};
    }
  }
  return {d, E, ReflectionType::spike, in_first, false, true};
}

}  // namespace chroma2
