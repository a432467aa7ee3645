// SPDX-License-Identifier: BSD-3-Clause
// Test bodies shared by the host and GPU tests of the core layer: CHROMA2_HD functions that
// produce results per index (run in a host loop or a device kernel), and host checks that assert
// on those results. One body, two backends.
#pragma once

#include "chroma2/core/group.hpp"
#include "chroma2/core/isotropic_init.hpp"
#include "chroma2/core/photon_page.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "support/stats.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace chroma2::test {

inline constexpr std::uint64_t test_seed = 0x5eed'c0de'2026'1122ull;

// The key/counter of draw number i in the cross-backend stream check: photons, events and
// counters all vary, including 64-bit ids and counters near the top of their range.
CHROMA2_HD inline RngBlock stream_draw(std::uint64_t i) {
  const std::uint64_t photon = (i * 0x9e3779b97f4a7c15ull) ^ (i >> 3);
  const RngKey key{test_seed ^ (i >> 20), photon, static_cast<std::uint32_t>(i % 977)};
  const std::uint32_t counter = static_cast<std::uint32_t>(i * 2654435761u);
  return Philox4x32Policy{}.draw(key, counter);
}

// A fresh photon asking for isotropic initialisation.
CHROMA2_HD inline Photon fresh_photon(std::uint64_t i) {
  Photon p{};
  p.position = {0.0f, 0.0f, 0.0f};
  p.time = 0.0f;
  p.direction = {0.0f, 0.0f, 0.0f};
  p.wavelength = 400.0f;
  p.polarisation = {0.0f, 0.0f, 0.0f};
  p.weight = 1.0f;
  p.id = i;
  p.event = static_cast<std::uint32_t>(i % 13);
  p.rng_counter = 0;
  p.history = history::isotropic_init;
  return p;
}

// Group collectives on 32 input values: exclusive scan, sum, broadcast from the leader, count of
// non-zero lanes. `out` holds group_out_size words.
inline constexpr int group_out_size = 67;
template <class G>
CHROMA2_HD void group_body(G g, const std::uint32_t* in, std::uint32_t* out) {
  typename G::template LaneArray<std::uint32_t> v, scan;
  g.for_lanes([&](int lane) { v[lane] = in[lane]; });
  const std::uint32_t total = g.exclusive_scan(v, scan);
  const std::uint32_t sum = g.sum(v);
  const std::uint32_t led = g.leader([&] { return sum * 3u + 1u; });
  const std::uint32_t nonzero = g.count_nonzero(v);
  g.for_lanes([&](int lane) {
    out[lane] = scan[lane];
    if (lane == 0) {
      out[32] = total;
      out[33] = sum;
      out[66] = nonzero;
    }
    out[34 + lane] = led;
  });
}

inline void check_group_results(const std::uint32_t* in, const std::uint32_t* out) {
  std::uint32_t run = 0;
  for (int lane = 0; lane < 32; ++lane) {
    CHECK(out[lane] == run);
    run += in[lane];
  }
  CHECK(out[32] == run);
  CHECK(out[33] == run);
  for (int lane = 0; lane < 32; ++lane) CHECK(out[34 + lane] == run * 3u + 1u);
  std::uint32_t nonzero = 0;
  for (int lane = 0; lane < 32; ++lane) nonzero += in[lane] != 0;
  CHECK(out[66] == nonzero);
}

// Asserts the physics of isotropic initialisation on >= 1e6 photons.
inline void check_isotropic(const std::vector<Photon>& photons) {
  REQUIRE(photons.size() >= 1000000);
  std::vector<double> cos_theta, phi, pol_azimuth;
  cos_theta.reserve(photons.size());
  phi.reserve(photons.size());
  pol_azimuth.reserve(photons.size());
  double worst_norm = 0, worst_dot = 0, worst_dir = 0;
  std::size_t still_flagged = 0;
  for (const Photon& p : photons) {
    const Vec3 d = p.direction, e = p.polarisation;
    worst_dir = std::fmax(worst_dir, std::fabs(norm(d) - 1.0));
    worst_norm = std::fmax(worst_norm, std::fabs(norm(e) - 1.0));
    worst_dot = std::fmax(worst_dot, std::fabs(dot(d, e)));
    cos_theta.push_back(d.z);
    phi.push_back(std::atan2(d.y, d.x));
    // azimuth of the polarisation in a frame built independently of the generator's
    const Vec3 ref = std::fabs(d.x) < 0.9f ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
    const Vec3 e1 = normalize(cross(d, ref));
    const Vec3 e2 = cross(d, e1);
    pol_azimuth.push_back(std::atan2(dot(e, e2), dot(e, e1)));
    still_flagged += (p.history & history::isotropic_init) != 0;
  }
  CHECK(still_flagged == 0u);
  CHECK(worst_dir < 1e-6);
  CHECK(worst_norm < 1e-6);
  CHECK(worst_dot < 1e-6);
  const double pi = 3.141592653589793;
  const ChiSquare c1 = chi_square_flat(cos_theta, -1.0, 1.0, 100);
  const ChiSquare c2 = chi_square_flat(phi, -pi, pi, 100);
  const ChiSquare c3 = chi_square_flat(pol_azimuth, -pi, pi, 100);
  INFO("chi2 cos(theta) " << c1.chi2 << " p " << c1.p_value << "; phi " << c2.chi2 << " p "
                          << c2.p_value << "; pol azimuth " << c3.chi2 << " p " << c3.p_value);
  CHECK(c1.p_value > 1e-4);
  CHECK(c2.p_value > 1e-4);
  CHECK(c3.p_value > 1e-4);
}

// Asserts that 32-bit words are uniform: chi-square on 1024 bins of the top bits.
inline void check_uniform_words(const std::vector<std::uint32_t>& words) {
  REQUIRE(words.size() >= 10000000);
  std::vector<double> obs(1024, 0.0), exp(1024, words.size() / 1024.0);
  for (std::uint32_t w : words) obs[w >> 22] += 1;
  const ChiSquare c = chi_square(obs, exp);
  INFO("chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value);
  CHECK(c.p_value > 1e-4);
}

}  // namespace chroma2::test
