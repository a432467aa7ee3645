// SPDX-License-Identifier: BSD-3-Clause
// A fully detecting sphere of radius R (mm) around a point source in an absorbing, dispersive
// medium, end to end on either backend: the detected fraction is exp(−R/L) within binomial error,
// and every hit is on the sphere, on its channel, at the time R·n_g/c (the group index of the
// table, not the phase index). An analytic geometry, so the expectations are exact. Units: mm, ns,
// nm.
#pragma once

#include "analytic_geometry.hpp"
#include "optical_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

namespace chroma2::test {

// The sphere of `radius` mm about the origin: material `inside` within it, `outside` beyond, its
// boundary carrying `surface` and `channel`; the normal points away from the centre.
struct DetectingSphere {
  float radius = 1000.0f;
  std::int32_t inside = 0, outside = 1;
  std::int32_t surface = 0;
  std::int32_t channel = 7;

  CHROMA2_HD Hit closest_hit(Ray r) const {
    // |o + t·d|² = R²: t² + 2bt + c = 0, the roots without cancellation
    const float b = dot(r.origin, r.direction);
    const float c = dot(r.origin, r.origin) - radius * radius;
    const float disc = b * b - c;
    if (disc < 0.0f) return miss(r);
    const float s = std::sqrt(disc);
    const float q = b > 0.0f ? -b - s : -b + s;
    float t0 = q != 0.0f ? c / q : 0.0f, t1 = q;
    if (t0 > t1) {
      const float x = t0;
      t0 = t1;
      t1 = x;
    }
    const float t = t0 > r.tmin ? t0 : t1;
    if (!(t > r.tmin) || !(t <= r.tmax)) return miss(r);
    return surface_hit(t, (r.origin + t * r.direction) / radius, inside, outside, surface, channel);
  }
  CHROMA2_HD std::int32_t material_at(Vec3 p) const {
    return dot(p, p) < radius * radius ? inside : outside;
  }
};
static_assert(Geometry<DetectingSphere>);
static_assert(std::is_trivially_copyable_v<DetectingSphere>);

// The medium's index, linear in wavelength over 200-900 nm: n(λ) = a + b·λ, so the group index
// n − λ·dn/dλ is a at every wavelength (1.45) while n(450 nm) = 1.36: the two times of flight
// differ by 6.6 %, far beyond the tolerance.
inline constexpr double sphere_index_a = 1.45, sphere_index_b = -2.0e-4;  // 1, 1/nm

inline MaterialSpec dispersive_absorber(double absorption_mm) {
  MaterialSpec m;
  m.name = "dispersive absorber";
  for (double l = 200; l <= 900; l += 50) {
    m.refractive_index.x.push_back(l);
    m.refractive_index.y.push_back(sphere_index_a + sphere_index_b * l);
  }
  m.absorption_length = flat_table(absorption_mm);
  return m;
}

// N photons from the centre, isotropic, at 450 nm, inside a sphere of radius R = 1000 mm whose
// surface detects every photon that reaches it (Chroma's model with detect = 1), in a medium of
// absorption length L = 800 mm without scattering. A photon is detected iff its absorption
// distance exceeds R: probability exp(−R/L) = 0.2865.
template <class Space>
void check_detecting_sphere(std::uint32_t n) {
  const double radius = 1000.0, absorption = 800.0, wavelength = 450.0;
  SurfaceSpec detector;
  detector.name = "detect all";
  detector.detect = flat_table(1.0);
  MaterialSet<Space> materials({dispersive_absorber(absorption), simple_material("beyond", 1.0)});
  SurfaceSet<Space> surfaces({detector});
  DetectingSphere sphere;
  sphere.radius = static_cast<float>(radius);
  const OpticalPhysics<DetectingSphere> physics{sphere, materials.ref(), surfaces.ref()};
  std::vector<Photon> in;
  in.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i)
    in.push_back(make_photon(i, {0, 0, 0}, {0, 0, 1}, {1, 0, 0}, float(wavelength), true));
  const auto out = propagate<Space>(physics, in);
  check_conservation(in, out);

  const std::size_t detected = count_reason(out, TerminalReason::detected);
  const std::size_t absorbed = count_reason(out, TerminalReason::bulk_absorbed);
  CHECK(detected + absorbed == n);
  check_binomial(detected, n, std::exp(-radius / absorption), "detected on the sphere");

  // The group index from the formula (n − λ·dn/dλ), not from the code under test.
  const double n_phase = sphere_index_a + sphere_index_b * wavelength;
  const double n_group = n_phase - wavelength * sphere_index_b;
  const double expected_time = radius * n_group / c_mm_per_ns;  // ns
  const double phase_time = radius * n_phase / c_mm_per_ns;
  std::size_t on_channel = 0, on_sphere = 0, on_time = 0, absorbed_without_channel = 0;
  double t_min = std::numeric_limits<double>::infinity(), t_max = -t_min, worst_radius = 0;
  for (const Photon& p : out) {
    if (p.reason != TerminalReason::detected) {
      absorbed_without_channel += p.channel == -1;  // no surface was ever hit
      continue;
    }
    on_channel += p.channel == sphere.channel;
    const double x = double(p.position.x) + p.position_low.x;
    const double y = double(p.position.y) + p.position_low.y;
    const double z = double(p.position.z) + p.position_low.z;
    const double off = std::fabs(std::sqrt(x * x + y * y + z * z) - radius);
    worst_radius = std::max(worst_radius, off);
    on_sphere += off < 1e-3;  // mm: float rounding at 1 m is 6e-5 mm
    on_time += std::fabs(p.time - expected_time) < 1e-5 * expected_time;
    t_min = std::min(t_min, double(p.time));
    t_max = std::max(t_max, double(p.time));
  }
  INFO("detected " << detected << " of " << n << "; hit times " << t_min << " to " << t_max
                   << " ns, expected " << expected_time << " ns (phase velocity: " << phase_time
                   << " ns); farthest hit from the sphere " << worst_radius << " mm");
  CHECK(detected > 0);
  CHECK(on_channel == detected);
  CHECK(on_sphere == detected);
  CHECK(on_time == detected);
  CHECK(absorbed_without_channel == absorbed);
  CHECK(t_max - t_min < 1e-5 * expected_time);
  CHECK(std::fabs(t_min - phase_time) > 0.5 * (expected_time - phase_time));
}

}  // namespace chroma2::test
