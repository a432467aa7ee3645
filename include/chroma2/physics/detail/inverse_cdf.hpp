// SPDX-License-Identifier: BSD-3-Clause
// InverseCdfRef: exact sampling of a tabulated distribution on the device: reemission spectra (a
// piecewise-linear density, whose quadratic CDF is inverted in closed form) and delay CDFs (linear
// between nodes, inverted linearly). A guide table finds the interval in O(1) on average.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/physics/detail/bracket.hpp"
#include "chroma2/physics/detail/piecewise_linear.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace chroma2::detail {

// The guide (the "cutpoint" method of Chen and Asau, 1974) sends a probability u to the first
// interval it can lie in; a step or two of linear search then finds the exact one, so correctness
// never depends on the guide, only the cost does. The CDF is exact up to float rounding (its nodes
// are computed in double and stored in float; the last is exactly 1).
struct InverseCdfRef {
  const float* key;      // count nodes, strictly increasing (nm, eV or ns)
  const float* cdf;      // count values, non-decreasing, cdf[count − 1] = 1
  const float* density;  // count values of a normalised piecewise-linear density; null: the CDF
                         // is linear between nodes (a uniform density in each interval)
  const std::uint32_t* guide;  // guide_count entries
  std::uint32_t count, guide_count;

  // F(k), clamped at the ends; a NaN key gives cdf[0].
  CHROMA2_HD float cdf_at(float k) const {
    if (!(k > key[0])) return cdf[0];
    if (k >= key[count - 1]) return cdf[count - 1];
    const std::uint32_t a = bracket(key, count, k), b = a + 1;
    const float t = k - key[a];
    const float h = key[b] - key[a];
    if (!density) return cdf[a] + (cdf[b] - cdf[a]) * (t / h);
    const float slope = (density[b] - density[a]) / h;
    return std::fmin(cdf[a] + t * (density[a] + 0.5f * slope * t), cdf[b]);
  }

  // The smallest k with F(k) >= u, for u in [0, 1]. u <= cdf[0] gives key[0] (a time CDF that
  // starts above 0 puts that probability on its first time).
  CHROMA2_HD float sample(float u) const {
    if (!(u > cdf[0])) return key[0];
    const auto bucket = static_cast<std::uint32_t>(u * static_cast<float>(guide_count));
    std::uint32_t i = guide[bucket < guide_count ? bucket : guide_count - 1];
    while (i > 0 && cdf[i] >= u) --i;
    while (i + 2 < count && cdf[i + 1] < u) ++i;
    const float r = u - cdf[i];
    const float h = key[i + 1] - key[i];
    float t;
    if (!density) {
      const float mass = cdf[i + 1] - cdf[i];
      t = mass > 0 ? h * (r / mass) : 0.0f;
    } else {
      // ∫₀ᵗ (p + s·τ) dτ = r, solved in the form without cancellation: t = 2r / (p + √(p² + 2sr)).
      const float p = density[i];
      const float s = (density[i + 1] - p) / h;
      const float root = std::sqrt(std::fmax(p * p + 2.0f * s * r, 0.0f));
      t = p + root > 0 ? 2.0f * r / (p + root) : 0.0f;
    }
    return key[i] + std::fmin(std::fmax(t, 0.0f), h);
  }
};

// The host side: arrays to store and a shape to bind to wherever they are stored.
struct InverseCdfTable {
  std::vector<float> key, cdf, density;  // density empty: CDF linear between nodes
  std::vector<std::uint32_t> guide;

  InverseCdfRef bind(const float* k, const float* c, const float* d, const std::uint32_t* g) const {
    return {k,
            c,
            density.empty() ? nullptr : d,
            g,
            static_cast<std::uint32_t>(key.size()),
            static_cast<std::uint32_t>(guide.size())};
  }
  InverseCdfRef host_ref() const {
    return bind(key.data(), cdf.data(), density.data(), guide.data());
  }
};

// guide[b] = the first interval whose upper CDF value reaches b / buckets, on the stored floats.
inline std::vector<std::uint32_t> make_guide(const std::vector<float>& cdf) {
  const std::size_t intervals = cdf.size() - 1;
  std::vector<std::uint32_t> guide(intervals);
  std::size_t i = 0;
  for (std::size_t b = 0; b < intervals; ++b) {
    const float u = static_cast<float>(b) / static_cast<float>(intervals);
    while (i + 1 < intervals && cdf[i + 1] < u) ++i;
    guide[b] = static_cast<std::uint32_t>(i);
  }
  return guide;
}

// From a non-negative piecewise-linear density (in its key, λ or E): the trapezoid integral,
// normalised. Throws when the integral is not positive.
inline InverseCdfTable inverse_cdf_of_density(const PiecewiseLinear& density,
                                              const TableLabel& label) {
  const std::size_t n = density.size();
  std::vector<double> cdf(n, 0.0);
  for (std::size_t i = 1; i < n; ++i)
    cdf[i] = cdf[i - 1] + 0.5 * (density.value[i - 1] + density.value[i]) *
                              (density.key[i] - density.key[i - 1]);
  const double total = cdf.back();
  if (!(total > 0))
    fail(label.owner + " " + label.property + " integrates to " + format_number(total),
         "an emission spectrum needs a positive integral to be a distribution",
         "give the spectrum some positive values");
  InverseCdfTable t;
  t.key.assign(density.key.begin(), density.key.end());
  for (std::size_t i = 0; i < n; ++i) {
    t.cdf.push_back(i + 1 == n ? 1.0f : static_cast<float>(cdf[i] / total));
    t.density.push_back(static_cast<float>(density.value[i] / total));
  }
  t.guide = make_guide(t.cdf);
  return t;
}

// From a tabulated CDF (non-decreasing, last value 1, checked by the caller).
inline InverseCdfTable inverse_cdf_of_cdf(const PiecewiseLinear& cdf) {
  InverseCdfTable t;
  t.key.assign(cdf.key.begin(), cdf.key.end());
  t.cdf.assign(cdf.value.begin(), cdf.value.end());
  t.cdf.back() = 1.0f;
  t.guide = make_guide(t.cdf);
  return t;
}

}  // namespace chroma2::detail
