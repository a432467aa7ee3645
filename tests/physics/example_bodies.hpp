// SPDX-License-Identifier: BSD-3-Clause
// The two customisation examples as test bodies, on either backend: Henyey–Greenstein scattering
// in ice (a user ScatteringProcess) gives a mean cosine of g; nested analytic spheres (a user
// Geometry) absorb and let escape the analytic fractions.
#pragma once

#include "../../examples/ice_scattering.hpp"
#include "../../examples/nested_spheres.hpp"
#include "support/stats.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <vector>

namespace chroma2::test {

template <class Space>
void check_ice_mean_cosine(std::uint32_t n, float g) {
  const auto out = examples::run_ice<Space>(n, g, 2);
  REQUIRE(out.size() == n);
  double sum = 0, sum2 = 0;
  std::size_t scattered = 0;
  for (const Photon& p : out) {
    sum += p.direction.z;
    sum2 += double(p.direction.z) * p.direction.z;
    scattered += p.reason == TerminalReason::max_steps && (p.history & history::rayleigh_scatter);
  }
  const double mean = sum / n, se = std::sqrt((sum2 / n - mean * mean) / n);
  INFO("g = " << g << ": mean cosine " << mean << " ± " << se);
  CHECK(scattered == n);
  CHECK(std::fabs(mean - g) < 3.29 * se);
}

template <class Space>
void check_nested_spheres(std::uint32_t n) {
  const examples::NestedSpheres spheres{};
  const double l1 = 150.0, l2 = 400.0;
  const auto out = examples::run_spheres<Space>(n, spheres, l1, l2, 2);
  REQUIRE(out.size() == n);
  const examples::SphereTally t = examples::tally(out, spheres);
  double f[3];
  examples::expected_fractions(spheres, l1, l2, f);
  const ChiSquare c = chi_square({double(t.core), double(t.shell), double(t.escaped)},
                                 {n * f[0], n * f[1], n * f[2]});
  INFO("core " << t.core << ", shell " << t.shell << ", escaped " << t.escaped << " of " << n
               << "; χ² = " << c.chi2 << " on " << c.dof << " dof, p = " << c.p_value);
  CHECK(t.other == 0);
  CHECK(c.p_value > 1e-3);
}

}  // namespace chroma2::test
