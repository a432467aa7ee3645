// SPDX-License-Identifier: BSD-3-Clause
// Scattering and the two elementary reflections as pure functions of (direction, polarisation,
// random numbers): Rayleigh scattering of a polarised dipole, Henyey–Greenstein scattering,
// Lambertian (diffuse) and specular (mirror) reflection. All vectors are unit vectors.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/physics/detail/interaction_vector.hpp"
#include "chroma2/physics/fresnel.hpp"

#include <cmath>

namespace chroma2 {

// Rayleigh scattering. A scatterer much smaller than the wavelength is a dipole driven along the
// incident polarisation E: it radiates with intensity ∝ sin²ψ, ψ the angle between E and the new
// direction, and its far field is E's part transverse to the new direction (Jackson, Classical
// Electrodynamics, §9.2 and §10.1). Unpolarised light is a random transverse E supplied by the
// caller (rng.perpendicular_to(d)); averaging over it gives the familiar 1 + cos²θ.
//
// Exact sampling, no rejection: x = cos ψ has density (3/4)(1 − x²) on [−1, 1] and CDF
// F(x) = (2 + 3x − x³)/4. F(x) = u is the cubic x³ − 3x + (4u − 2) = 0; with x = 2 sin a it
// becomes sin 3a = 2u − 1 (since 8 sin³a − 6 sin a = −2 sin 3a), so its root in [−1, 1] is
// x = 2 sin(asin(2u − 1)/3) (Viète's trigonometric solution). With w the unit vector at a uniform
// azimuth about E: d′ = x E + √(1 − x²) w, E′ = √(1 − x²) E − x w. The latter equals
// normalize(E − (E·d′)d′) wherever that is defined and is its limit where d′ ∥ E (x = ±1), so the
// measure-zero case needs no branch, and d′ ⊥ E′ by construction. Draws: two uniforms.
template <class Rng>
CHROMA2_HD Beam sample_rayleigh(Vec3 d, Vec3 E, Rng& rng) {
  namespace di = detail::interaction;
  const Vec3 e = di::unit_perpendicular(E, d, basis_around(d).e1);
  const float u1 = rng.uniform();
  const float u2 = rng.uniform();
  const float x =
      di::clamp(2.0f * std::sin(std::asin(2.0f * u1 - 1.0f) * (1.0f / 3.0f)), -1.0f, 1.0f);
  const float s = std::sqrt(std::fmax(0.0f, (1.0f - x) * (1.0f + x)));
  const OrthonormalBasis b = basis_around(e);
  const float phi = two_pi * u2;
  const Vec3 w = std::cos(phi) * b.e1 + std::sin(phi) * b.e2;
  return {x * e + s * w, s * e - x * w};
}

// cos θ of a Henyey–Greenstein deviate (Henyey & Greenstein, ApJ 93, 70, 1941): density
// p(μ) = (1 − g²) / (2 (1 + g² − 2gμ)^{3/2}) on [−1, 1], mean μ = g, for |g| < 1. The textbook
// inverse of its CDF, μ = (1 + g² − s²)/(2g) with s = (1 − g²)/(1 + g t), t = 2u − 1, divides by
// g and loses every digit as g → 0. Writing s = 1 − g v gives 1 + g² − s² = g (2v + g(1 − v²)),
// so the g cancels exactly:
//   μ = v + (g/2)(1 − v)(1 + v),   v = (t + g)/(1 + g t)
// (v runs over [−1, 1] as t does; g = 0 gives μ = t, isotropic). For |g| → 1 the backward tail
// has 1 + g t → 0; both t + g and 1 + g t are formed from 1 ∓ g and u or 1 − u (exact in float
// by Sterbenz's lemma where it matters), so that cancellation costs no digits either.
CHROMA2_HD inline float henyey_greenstein_cos(float g, float u) {
  float num, den;  // t + g and 1 + g t
  if (g >= 0.0f) {
    const float a = 1.0f - g;
    num = 2.0f * u - a;
    den = a + 2.0f * g * u;
  } else {
    const float a = 1.0f + g, w = 1.0f - u;
    num = a - 2.0f * w;
    den = a - 2.0f * g * w;
  }
  const float v = detail::interaction::clamp(num / den, -1.0f, 1.0f);
  return detail::interaction::clamp(v + 0.5f * g * (1.0f - v) * (1.0f + v), -1.0f, 1.0f);
}

// Henyey–Greenstein scattering: polar angle from henyey_greenstein_cos, azimuth uniform about d.
// Polarisation: E projected transverse to the new direction, as for a dipole (so a forward peak
// leaves it nearly unchanged). Built in the frame (d, E, d × E), both vectors come out exactly
// orthonormal; where the projection vanishes (θ = 90° with d′ = ±E, measure zero) E′ is the
// normal of the scattering plane. Draws: two uniforms.
template <class Rng>
CHROMA2_HD Beam sample_henyey_greenstein(Vec3 d, Vec3 E, float g, Rng& rng) {
  namespace di = detail::interaction;
  const Vec3 e = di::unit_perpendicular(E, d, basis_around(d).e1);
  const Vec3 h = cross(d, e);
  const float mu = henyey_greenstein_cos(g, rng.uniform());
  const float s = std::sqrt(std::fmax(0.0f, (1.0f - mu) * (1.0f + mu)));
  const float phi = two_pi * rng.uniform();
  const float cp = std::cos(phi), sp = std::sin(phi);
  const Vec3 w = cp * e + sp * h;   // in the scattering plane, ⊥ d
  const Vec3 v = -sp * e + cp * h;  // normal to the scattering plane
  const Vec3 d_new = mu * d + s * w;
  const Vec3 w_new = mu * w - s * d;  // in the plane, ⊥ d_new
  // E = cos φ w − sin φ v = cos φ (μ w_new + s d_new) − sin φ v: drop the d_new part.
  return {d_new, di::normalize_or(cp * mu * w_new - sp * v, v)};
}

// Lambertian reflection: the reflected radiance is the same in every direction, so the outgoing
// direction has density ∝ cos θ about the normal (Lambert's cosine law) on the side the photon
// came from: cos θ = √u (a uniform point of the unit disc lifted onto the hemisphere), azimuth
// uniform. Light from a rough surface is taken as depolarised: the new polarisation is a random
// transverse unit vector. cos θ ≥ 2⁻¹² > 0, never grazing. Draws: three uniforms.
template <class Rng>
CHROMA2_HD Beam sample_lambertian(Vec3 d, Vec3 normal, Rng& rng) {
  const Vec3 n = detail::interaction::facing(normal, d);
  const float u = rng.uniform();
  const float cos_t = std::sqrt(u);
  const float sin_t = std::sqrt(1.0f - u);
  const float phi = two_pi * rng.uniform();
  const OrthonormalBasis b = basis_around(n);
  const Vec3 d_new = normalize(cos_t * n + sin_t * (std::cos(phi) * b.e1 + std::sin(phi) * b.e2));
  return {d_new, perpendicular_from(d_new, rng.uniform())};
}

// Specular reflection of a perfect mirror (r_s = −1, r_p = +1 in fresnel.hpp's convention):
// d′ = d − 2(d·n)n and E′ = −E + 2(E·n)n, for n in either orientation. E′ ⊥ d′ whenever E ⊥ d.
CHROMA2_HD inline Beam specular_reflection(Vec3 d, Vec3 E, Vec3 n) {
  return {reflect(d, n), 2.0f * dot(E, n) * n - E};
}

}  // namespace chroma2
