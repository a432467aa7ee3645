// SPDX-License-Identifier: BSD-3-Clause
// Small vector helpers shared by the optical interaction headers (fresnel, scattering, unified,
// surface models): orienting a surface normal against a photon and building a unit polarisation
// perpendicular to a direction without ever dividing by zero, so no interaction can emit a NaN.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/vec.hpp"

#include <cmath>

namespace chroma2::detail::interaction {

inline constexpr float pi = 3.14159265358979f;
inline constexpr float half_pi = 1.57079632679490f;

// Squared lengths below this are treated as zero: a float unit vector built from such a residue
// would carry only rounding noise (and below ~1e-38 the reciprocal square root overflows).
inline constexpr float tiny_norm2 = 1e-24f;

// The normal flipped, if needed, so that it points against d (back into the medium d comes from).
// A direction exactly in the surface keeps the normal as given.
CHROMA2_HD inline Vec3 facing(Vec3 normal, Vec3 d) {
  return dot(d, normal) > 0.0f ? -normal : normal;
}

// v scaled to unit length, or `fallback` when v has (almost) no length.
CHROMA2_HD inline Vec3 normalize_or(Vec3 v, Vec3 fallback) {
  const float n2 = dot(v, v);
  return n2 > tiny_norm2 ? v * (1.0f / std::sqrt(n2)) : fallback;
}

// The unit vector along the part of v perpendicular to the unit vector k; `fallback` (a unit
// vector perpendicular to k) when v is (anti)parallel to k. A polarisation must be transverse, so
// every outgoing polarisation passes through here: rounding never accumulates a longitudinal part.
CHROMA2_HD inline Vec3 unit_perpendicular(Vec3 v, Vec3 k, Vec3 fallback) {
  return normalize_or(v - dot(v, k) * k, fallback);
}

// x clamped to [lo, hi] (std::clamp is not a device function).
CHROMA2_HD inline float clamp(float x, float lo, float hi) {
  return std::fmin(std::fmax(x, lo), hi);
}

}  // namespace chroma2::detail::interaction
