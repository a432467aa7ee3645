// SPDX-License-Identifier: BSD-3-Clause
// A minimal complex float for the reflectance of absorbing media (n + ik): the four operations
// and the principal square root that the Fresnel formulas need. std::complex is not usable in
// device code and cuda::std::complex would make the host build depend on CUDA headers.
#pragma once

#include "chroma2/config/macros.hpp"

#include <cmath>

namespace chroma2::detail::interaction {

struct Complex {
  float re, im;
};

CHROMA2_HD constexpr Complex operator+(Complex a, Complex b) { return {a.re + b.re, a.im + b.im}; }
CHROMA2_HD constexpr Complex operator-(Complex a, Complex b) { return {a.re - b.re, a.im - b.im}; }
CHROMA2_HD constexpr Complex operator*(Complex a, Complex b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}
CHROMA2_HD constexpr Complex operator*(float s, Complex a) { return {s * a.re, s * a.im}; }
// |z|²: a reflectance is |numerator|² / |denominator|², so no complex division is needed.
CHROMA2_HD constexpr float abs2(Complex a) { return a.re * a.re + a.im * a.im; }

// Principal square root (Re ≥ 0, Im with the sign of the argument's Im). The branch on the sign
// of Re avoids the cancellation of |z| − |Re z| (Kahan, "Branch cuts for complex elementary
// functions", 1987).
CHROMA2_HD inline Complex complex_sqrt(Complex z) {
  const float modulus = std::sqrt(z.re * z.re + z.im * z.im);
  const float t = std::sqrt(0.5f * (modulus + std::fabs(z.re)));
  if (t == 0.0f) return {0.0f, 0.0f};
  if (z.re >= 0.0f) return {t, 0.5f * z.im / t};
  return {0.5f * std::fabs(z.im) / t, std::copysign(t, z.im)};
}

}  // namespace chroma2::detail::interaction
