// SPDX-License-Identifier: BSD-3-Clause
// Reflection and refraction at a smooth boundary between two media with the full Fresnel
// amplitudes, so the outgoing polarisation follows from the incoming one (Born & Wolf, Principles
// of Optics, §1.5; Hecht, Optics, §4.6), and the reflectance of an absorbing medium with a complex
// index n + ik (metals, photocathodes). Indices are dimensionless; vectors are unit vectors.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/optical_process.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/core/vec.hpp"
#include "chroma2/physics/detail/interaction_complex.hpp"
#include "chroma2/physics/detail/interaction_vector.hpp"

#include <cmath>

namespace chroma2 {

// Conventions (all functions here and in scattering/unified/surface_models follow them):
// - The normal may be given in either orientation; n̂ is it turned against the incident
//   direction d (pointing back into medium 1, index n1), so cos θi = −d·n̂ ∈ [0, 1].
// - ŝ = normalize(d × n̂) is normal to the plane of incidence and shared by all three beams; each
//   beam k (incident d, reflected d_r, refracted d_t) has its own p̂_k = ŝ × k, so (k, p̂_k, ŝ) is
//   right-handed for every beam and a p-wave's magnetic field lies along +ŝ. Continuity of the
//   tangential E and H at the boundary then gives Born & Wolf's amplitudes (§1.5.2):
//     r_s = (n1 cos i − n2 cos t) / (n1 cos i + n2 cos t),  t_s = 2 n1 cos i / (n1 cos i + n2 cos
//     t) r_p = (n2 cos i − n1 cos t) / (n2 cos i + n1 cos t),  t_p = 2 n1 cos i / (n2 cos i + n1
//     cos t)
// - At normal incidence p̂_r = −p̂ and r_p = −r_s: the reflected field is r_s·E whatever ŝ is, so
//   ŝ there is taken from the polarisation itself and the outcome is continuous with oblique
//   incidence. A perfect mirror (n2 → ∞) has r_s = −1, r_p = +1, i.e. E′ = −E + 2(E·n̂)n̂.
// - Total internal reflection: |r_s| = |r_p| = 1 with a relative phase that makes the light
//   elliptical, which a real polarisation vector cannot carry. We keep r_s = r_p = 1 (their value
//   at the critical angle, so the polarisation is continuous across it) and drop the phase.

// Beam (a direction with its polarisation: one outgoing beam) is
// core/concepts/optical_process.hpp's.

struct FresnelCoefficients {
  float r_s, r_p;  // reflected / incident field amplitude, s and p
  float t_s, t_p;  // transmitted / incident field amplitude, s and p (0 under TIR)
  float cos_t;     // cosine of the refraction angle (0 under TIR)
  bool total_internal;
};

// Amplitudes for incidence at cos θi = |cos_i| from index n1 onto index n2 (both > 0). Under
// TIR: r_s = r_p = 1, t_s = t_p = cos_t = 0 (see the conventions above).
CHROMA2_HD inline FresnelCoefficients fresnel_coefficients(float cos_i, float n1, float n2) {
  const float c = detail::interaction::clamp(std::fabs(cos_i), 0.0f, 1.0f);
  // Snell: (n2 cos t)² = n2² − n1² sin²i = (n2 − n1)(n2 + n1) + (n1 cos i)². Near the critical
  // angle the two terms cancel and float rounding of them would be amplified without bound
  // (dR/dcos t diverges there); products and sums of floats are exact or nearly so in double,
  // so this one quantity is formed in double (four operations) and R stays within a few 1e-7 of
  // the exact value for the given float inputs at every angle. TIR is decided exactly, too.
  const float a = n1 * c;
  const double n1c = static_cast<double>(n1) * c;
  const double beta2_d =
      (static_cast<double>(n2) - n1) * (static_cast<double>(n2) + n1) + n1c * n1c;
  if (beta2_d <= 0.0) return {1.0f, 1.0f, 0.0f, 0.0f, 0.0f, true};
  const float beta2 = static_cast<float>(beta2_d);  // (n2 cos t)²
  const float b = std::sqrt(beta2);                 // n2 cos t
  const float cos_t = detail::interaction::clamp(b / n2, 0.0f, 1.0f);
  // The denominators are > 0 (b > 0 or, at grazing, a = 0 with b = √(n2² − n1²) > 0); the p
  // forms are multiplied through by n2: n2² cos i ± n1 n2 cos t.
  const float ds = a + b;
  const float ap = n2 * n2 * c, bp = n1 * b;
  const float dp = ap + bp;
  return {(a - b) / ds, (ap - bp) / dp, 2.0f * a / ds, 2.0f * n2 * a / dp, cos_t, false};
}

// Mirror image of d about the plane with normal n (either orientation): d − 2(d·n)n.
CHROMA2_HD inline Vec3 reflect(Vec3 d, Vec3 n) { return d - 2.0f * dot(d, n) * n; }

// Refracted direction (Snell's law in vector form): η d + (η cos i − cos t) n̂, with
// η = n1/n2 and n̂ pointing against d. Renormalised so rounding does not grow over many steps.
CHROMA2_HD inline Vec3 refract(Vec3 d, Vec3 n, float eta, float cos_i, float cos_t) {
  return normalize(eta * d + (eta * cos_i - cos_t) * n);
}

// The s/p frame of one incident photon on one surface.
struct SpFrame {
  Vec3 normal;     // n̂: against d
  Vec3 s, p;       // ŝ (normal to the plane of incidence) and p̂ = ŝ × d
  float cos_i;     // −d·n̂
  float e_s, e_p;  // the polarisation on ŝ and p̂, scaled so that e_s² + e_p² = 1
};

CHROMA2_HD inline SpFrame sp_frame(Vec3 d, Vec3 E, Vec3 normal) {
  namespace di = detail::interaction;
  SpFrame f;
  f.normal = di::facing(normal, d);
  f.cos_i = di::clamp(-dot(d, f.normal), 0.0f, 1.0f);
  // Projecting d × n̂ onto the plane transverse to d keeps ŝ ⊥ d even where the cross product is
  // mostly rounding (sin θi ≲ 1e-6); incidence is then normal for the amplitudes (r_p = −r_s to
  // O(θi²)) and any transverse ŝ gives the same beams. Only where d × n̂ vanishes does ŝ come
  // from E.
  const Vec3 c = cross(d, f.normal);
  const Vec3 c_perp = c - dot(c, d) * d;
  if (dot(c_perp, c_perp) > di::tiny_norm2) {
    f.s = normalize(c_perp);
  } else {
    f.s = di::unit_perpendicular(E, d, basis_around(d).e1);
  }
  f.p = cross(f.s, d);
  float es = dot(E, f.s), ep = dot(E, f.p);
  const float w = es * es + ep * ep;
  // A polarisation that is not transverse (bad input) is read by its transverse part; none at
  // all is read as pure s.
  if (w > di::tiny_norm2) {
    const float inv = 1.0f / std::sqrt(w);
    es *= inv;
    ep *= inv;
  } else {
    es = 1.0f;
    ep = 0.0f;
  }
  f.e_s = es;
  f.e_p = ep;
  return f;
}

// One photon at one dielectric boundary, before the random choice: the reflectance for its
// polarisation and both outgoing beams (each computed only when asked for).
struct DielectricBoundary {
  Vec3 direction;  // incident d
  SpFrame frame;
  FresnelCoefficients coefficients;
  float eta;  // n1 / n2

  // R = e_s² r_s² + e_p² r_p² (1 under TIR).
  CHROMA2_HD float reflectance() const {
    if (coefficients.total_internal) return 1.0f;
    const float as = frame.e_s * coefficients.r_s, ap = frame.e_p * coefficients.r_p;
    return as * as + ap * ap;
  }
  // Specular direction with polarisation ∝ r_s e_s ŝ + r_p e_p p̂_r.
  CHROMA2_HD Beam reflected() const {
    const Vec3 d_r = reflect(direction, frame.normal);
    const Vec3 p_r = cross(frame.s, d_r);
    const Vec3 amp = coefficients.r_s * frame.e_s * frame.s + coefficients.r_p * frame.e_p * p_r;
    // No reflected field (equal indices, or p light at Brewster's angle): the mirror's
    // polarisation stands in, so even a beam of zero weight is a valid photon.
    const Vec3 mirror = -frame.e_s * frame.s + frame.e_p * p_r;
    return {d_r, detail::interaction::unit_perpendicular(amp, d_r, mirror)};
  }
  // Refracted direction with polarisation ∝ t_s e_s ŝ + t_p e_p p̂_t. Under TIR there is no
  // refracted beam and the incident one is returned.
  CHROMA2_HD Beam refracted() const {
    const Vec3 e_in = frame.e_s * frame.s + frame.e_p * frame.p;
    if (coefficients.total_internal) return {direction, e_in};
    const Vec3 d_t = refract(direction, frame.normal, eta, frame.cos_i, coefficients.cos_t);
    const Vec3 p_t = cross(frame.s, d_t);
    const Vec3 amp = coefficients.t_s * frame.e_s * frame.s + coefficients.t_p * frame.e_p * p_t;
    const Vec3 keep = frame.e_s * frame.s + frame.e_p * p_t;  // grazing: t_s = t_p = 0
    return {d_t, detail::interaction::unit_perpendicular(amp, d_t, keep)};
  }
};

CHROMA2_HD inline DielectricBoundary dielectric_boundary(Vec3 d, Vec3 E, Vec3 normal, float n1,
                                                         float n2) {
  const SpFrame f = sp_frame(d, E, normal);
  return {d, f, fresnel_coefficients(f.cos_i, n1, n2), n1 / n2};
}

// R for a photon of polarisation E (e_s² R_s + e_p² R_p).
CHROMA2_HD inline float fresnel_reflectance(Vec3 d, Vec3 E, Vec3 normal, float n1, float n2) {
  return dielectric_boundary(d, E, normal, n1, n2).reflectance();
}

struct DielectricOutcome {
  Vec3 direction;
  Vec3 polarisation;
  bool reflected;       // false: refracted into medium 2
  bool total_internal;  // reflected because sin θt would exceed 1
};

// One photon at a smooth dielectric boundary: reflected with probability R (its polarisation's
// reflectance), else refracted. Draws exactly one uniform, under TIR too, so the stream's
// position never depends on the branch taken. Rng: any type with `float uniform()` on (0, 1].
template <class Rng>
CHROMA2_HD DielectricOutcome interact_dielectric(Vec3 d, Vec3 E, Vec3 normal, float n1, float n2,
                                                 Rng& rng) {
  const DielectricBoundary b = dielectric_boundary(d, E, normal, n1, n2);
  const float u = rng.uniform();
  const bool tir = b.coefficients.total_internal;
  if (tir || u <= b.reflectance()) {
    const Beam r = b.reflected();
    return {r.direction, r.polarisation, true, tir};
  }
  const Beam t = b.refracted();
  return {t.direction, t.polarisation, false, false};
}

// Reflectance of a boundary from a transparent medium (index n1) onto an absorbing one with
// complex index n2 = n2_re + i n2_im (n2_im ≥ 0 for absorption; Born & Wolf §14.2). Snell's law
// holds with a complex angle: n2 cos t = √(n2² − n1² sin²i), the principal root (Im ≥ 0: the
// wave decays into the metal). Then R_s = |r_s|², R_p = |r_p|² with the amplitudes above.
struct ComplexReflectance {
  float s, p;  // R_s, R_p
};

CHROMA2_HD inline ComplexReflectance complex_fresnel_reflectance(float cos_i, float n1, float n2_re,
                                                                 float n2_im) {
  namespace di = detail::interaction;
  const float c = di::clamp(std::fabs(cos_i), 0.0f, 1.0f);
  const di::Complex n2{n2_re, n2_im};
  const di::Complex n2_sq = n2 * n2;
  const float sin2_i = (1.0f - c) * (1.0f + c);
  const di::Complex w = di::complex_sqrt(n2_sq - di::Complex{n1 * n1 * sin2_i, 0.0f});
  const di::Complex a{n1 * c, 0.0f};
  // r_p multiplied through by n2: (n2² cos i − n1 n2 cos t) / (n2² cos i + n1 n2 cos t).
  const di::Complex ap = c * n2_sq, bp = n1 * w;
  const float ds = di::abs2(a + w), dp = di::abs2(ap + bp);
  // Both denominators vanish only for n2 = n1 at exact grazing: no boundary, nothing reflected.
  const float rs = ds > 0.0f ? di::abs2(a - w) / ds : 0.0f;
  const float rp = dp > 0.0f ? di::abs2(ap - bp) / dp : 0.0f;
  return {di::clamp(rs, 0.0f, 1.0f), di::clamp(rp, 0.0f, 1.0f)};
}

}  // namespace chroma2
