// SPDX-License-Identifier: BSD-3-Clause
// A small instanced detector that the test suite builds itself (geometry/builders.hpp): a closed
// spherical tank of water with a black wall, and 36 glass spheres ("PMTs") with a photocathode, one
// mesh placed 36 times by rotation and translation, each placement its own channel. Photons from a
// point inside run end to end on either backend; the checks: nothing escapes a closed detector (the
// failure names the photons), every hit lies on its own channel's PMT (on the triangle it names, so
// the placement's rotation counts too), the photocathode detects a quarter of what it stops, and
// unscattered hits per channel follow each PMT's solid angle and attenuation. Units: mm, ns, nm.
#pragma once

#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/physics/scene_tables.hpp"
#include "optical_bodies.hpp"
#include "scene_run.hpp"
#include "support/stats.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <type_traits>
#include <vector>

namespace chroma2::test {

// The detector's dimensions and optics, and where its parts sit.
struct InstancedDetector {
  static constexpr float tank_radius = 1000.0f;  // mm, the wall's vertices
  static constexpr float pmt_radius = 60.0f;     // mm, each PMT's vertices
  static constexpr float pmt_distance = 900.0f;  // mm, PMT centres from the tank's centre
  static constexpr int tank_tessellation = 3;    // geodesic level: 1280 triangles
  static constexpr int pmt_tessellation = 4;     // 5120 triangles, stored once
  static constexpr std::int32_t channels = 36;
  static constexpr double index = 1.33;
  static constexpr double absorption_length = 4000.0;  // mm, water
  static constexpr double scattering_length = 3000.0;  // mm, water, Rayleigh
  static constexpr double quantum_efficiency = 0.25;   // photocathode: detects, else absorbs
  static constexpr float wavelength = 420.0f;          // nm
  // material and surface ids
  static constexpr std::int32_t water = 0, glass = 1, outside = 2;
  static constexpr std::int32_t black = 0, photocathode = 1;

  Vec3 source{150.0f, -100.0f, 200.0f};  // mm, off centre so no two channels are alike
  std::vector<Vec3> centres;             // mm, PMT centre of each channel
  // Each channel's placement: turned about a skewed axis by an angle of its own, then moved to its
  // centre. A sphere looks the same turned, but which of its triangles a ray meets does not
  // (checked through Photon::last_primitive).
  std::vector<RigidTransform> placements;

  InstancedDetector() {
    // a Fibonacci lattice: near-uniform directions, none on an axis
    const double golden = std::numbers::pi * (3.0 - std::sqrt(5.0));
    const Vec3 axis{0.48507125f, 0.72760688f, 0.48507125f};
    for (std::int32_t k = 0; k < channels; ++k) {
      const double z = 1.0 - (2.0 * k + 1.0) / channels, r = std::sqrt(1.0 - z * z);
      const double phi = golden * k;
      centres.push_back({float(pmt_distance * r * std::cos(phi)),
                         float(pmt_distance * r * std::sin(phi)), float(pmt_distance * z)});
      placements.push_back(rotation_about(axis, 0.3f + 0.17f * float(k), centres.back()));
    }
  }

  static Mesh tank_mesh() {
    Mesh tank = make_geodesic_sphere(tank_radius, tank_tessellation, {water, outside, black});
    tank.name = "tank";
    return tank;
  }
  static Mesh pmt_mesh() {
    Mesh pmt = make_geodesic_sphere(pmt_radius, pmt_tessellation, {glass, water, photocathode});
    pmt.name = "pmt";
    return pmt;
  }

  std::vector<MaterialSpec> materials() const {
    return {simple_material("water", index, absorption_length, scattering_length),
            simple_material("glass", 1.5, 1000.0), simple_material("outside", 1.0)};
  }
  std::vector<SurfaceSpec> surfaces() const {
    SurfaceSpec wall, cathode;
    wall.name = "black wall";
    wall.absorb = flat_table(1.0);
    cathode.name = "photocathode";
    cathode.detect = flat_table(quantum_efficiency);
    cathode.absorb = flat_table(1.0 - quantum_efficiency);
    return {wall, cathode};
  }

  // The tank placed once (no channel), the PMT mesh once per channel with its own placement.
  Scene scene() const {
    Scene s;
    s.world_material = outside;
    s.add_placement(s.add_mesh(tank_mesh()));
    const std::uint32_t pmt = s.add_mesh(pmt_mesh());
    for (std::int32_t k = 0; k < channels; ++k) s.add_placement(pmt, placements[k], k);
    return s;
  }

  // The probability that a photon from the source reaches channel k's PMT unscattered and
  // unabsorbed and is detected: QE · (1/2)∫ sin θ · exp(−t(θ)/Λ) dθ over the cone of half-angle
  // asin(r/d) about the PMT's direction, t(θ) = d·cos θ − √(r² − d²sin²θ) the distance to the
  // sphere and 1/Λ = 1/L_abs + 1/L_scat. With sin θ = (r/d)·sin φ the integrand is smooth on
  // φ ∈ [0, π/2] (Simpson, 400 intervals: 1e-10). For the true sphere; the tessellated one
  // (vertices on the sphere) has 0.12 % less area, so it subtends about that much less on average:
  // a tenth of the statistical error of the total at 1e6 photons (6400 hits).
  double direct_detection(std::int32_t k) const {
    const double dx = double(centres[k].x) - source.x, dy = double(centres[k].y) - source.y,
                 dz = double(centres[k].z) - source.z;
    const double d = std::sqrt(dx * dx + dy * dy + dz * dz), r = pmt_radius;
    const double inv_lambda = 1.0 / absorption_length + 1.0 / scattering_length;
    const auto f = [&](double phi) {
      const double s = r / d * std::sin(phi), c = std::sqrt(1.0 - s * s);
      const double t = d * c - r * std::cos(phi);
      return s * std::exp(-t * inv_lambda) * (r / d) * std::cos(phi) / c;  // sin θ · dθ/dφ
    };
    const int m = 400;
    const double h = (std::numbers::pi / 2) / m;
    double sum = f(0) + f(std::numbers::pi / 2);
    for (int i = 1; i < m; ++i) sum += (i % 2 ? 4 : 2) * f(i * h);
    return quantum_efficiency * 0.5 * sum * h / 3.0;
  }
};

// Runs n photons from the source, isotropic, through the detector built for the Space (the host
// geometry itself, or its upload to the device) with the run seed `seed`; returns them sorted by
// id.
template <class Space>
std::vector<Photon> run_instanced_detector(const InstancedDetector& d, std::uint32_t n,
                                           std::uint64_t seed = 11) {
  std::vector<Photon> photons;
  photons.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i)
    photons.push_back(
        make_photon(i, d.source, {0, 0, 1}, {1, 0, 0}, InstancedDetector::wavelength, true));
  SceneRun r = run_scene<Space>(d.scene(), d.materials(), d.surfaces(), photons, 1000, seed);
  REQUIRE(r.stats.placements == std::size_t(InstancedDetector::channels) + 1);
  REQUIRE(r.stats.degenerate_triangles == 0);
  return std::move(r.photons);
}

inline double exact_norm(Vec3 hi, Vec3 lo) {
  const double x = double(hi.x) + lo.x, y = double(hi.y) + lo.y, z = double(hi.z) + lo.z;
  return std::sqrt(x * x + y * y + z * z);
}

// Whether the photon's position, taken into the mesh frame of placement t, lies on triangle
// `primitive` of `mesh`: within `tolerance` mm of its plane and inside its edges (barycentric
// coordinates above −1e-3). A placement whose rays were turned the wrong way would name a
// triangle elsewhere on the PMT than its hit point.
inline bool on_triangle(const Photon& p, const RigidTransform& t, const Mesh& mesh,
                        std::uint32_t primitive, double tolerance) {
  if (primitive >= mesh.size()) return false;
  double w[3] = {double(p.position.x) + p.position_low.x - t.t.x,
                 double(p.position.y) + p.position_low.y - t.t.y,
                 double(p.position.z) + p.position_low.z - t.t.z};
  double q[3];  // Rᵀ·w
  for (int i = 0; i < 3; ++i) q[i] = t.r[i] * w[0] + t.r[3 + i] * w[1] + t.r[6 + i] * w[2];
  const auto& tri = mesh.triangles[primitive];
  const Vec3 a = mesh.vertices[tri[0]], b = mesh.vertices[tri[1]], c = mesh.vertices[tri[2]];
  const double e1[3] = {double(b.x) - a.x, double(b.y) - a.y, double(b.z) - a.z};
  const double e2[3] = {double(c.x) - a.x, double(c.y) - a.y, double(c.z) - a.z};
  const double d[3] = {q[0] - a.x, q[1] - a.y, q[2] - a.z};
  const auto dot3 = [](const double* u, const double* v) {
    return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  };
  const double n[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                       e1[0] * e2[1] - e1[1] * e2[0]};
  const double plane = dot3(d, n) / std::sqrt(dot3(n, n));
  // barycentrics of the point's projection: solve [e1 e2]·(u, v) = d in the least-squares sense
  const double a11 = dot3(e1, e1), a12 = dot3(e1, e2), a22 = dot3(e2, e2);
  const double b1 = dot3(e1, d), b2 = dot3(e2, d), det = a11 * a22 - a12 * a12;
  const double u = (a22 * b1 - a12 * b2) / det, v = (a11 * b2 - a12 * b1) / det;
  return std::fabs(plane) < tolerance && u > -1e-3 && v > -1e-3 && u + v < 1 + 1e-3;
}

// The detector is closed and its hits are where they should be: no photon escapes (the failure
// lists the first escaped ids and where they left), none is aborted or runs out of steps, every
// ending is counted once; every detected photon's channel is a PMT's and it lies on that PMT; every
// photon ending on a surface lies on the wall or on its channel's PMT, on the triangle that
// Photon::last_primitive names (in that placement's frame); no detected photon arrives before light
// could (|hit − source|·n/c), and one that never scattered arrives exactly then; every channel
// expecting at least 10 unscattered hits has hits (P(none) < 5e-5 each).
template <class Space>
void check_instanced_detector_closed(std::uint32_t n) {
  using D = InstancedDetector;
  const D d;
  const std::vector<Photon> out = run_instanced_detector<Space>(d, n, 23);  // not the stats' run
  std::size_t counts[static_cast<int>(TerminalReason::count_)] = {};
  const Mesh tank = D::tank_mesh(), pmt = D::pmt_mesh();
  std::size_t bad_channel = 0, off_pmt = 0, off_wall = 0, off_triangle = 0, early = 0;
  std::size_t late_direct = 0;
  std::string escaped;
  std::vector<std::size_t> hits(D::channels, 0);
  for (const Photon& p : out) {
    ++counts[static_cast<int>(p.reason)];
    if (p.reason == TerminalReason::escaped && escaped.size() < 400)
      escaped += " " + std::to_string(p.id) + " from (" + std::to_string(p.position.x) + ", " +
                 std::to_string(p.position.y) + ", " + std::to_string(p.position.z) + ") mm;";
    const bool on_surface =
        p.reason == TerminalReason::detected || p.reason == TerminalReason::surface_absorbed;
    if (!on_surface) continue;
    if (p.channel == -1) {  // the wall (no channel): absorbed there, never detected
      bad_channel += p.reason == TerminalReason::detected;
      // between its faces' inner bound (0.3 % in at level 3) and its vertices
      const double r = exact_norm(p.position, p.position_low);
      off_wall += !(r > 0.99 * D::tank_radius && r < D::tank_radius + 0.01);
      off_triangle += !on_triangle(p, RigidTransform::identity(), tank, p.last_primitive, 0.01);
      continue;
    }
    if (p.channel < 0 || p.channel >= D::channels) {
      ++bad_channel;
      continue;
    }
    const Vec3 c = d.centres[std::size_t(p.channel)];
    const double r = exact_norm(p.position - c, p.position_low);
    off_pmt += !(r > 0.99 * D::pmt_radius && r < D::pmt_radius + 0.01);
    off_triangle +=
        !on_triangle(p, d.placements[std::size_t(p.channel)], pmt, p.last_primitive, 0.01);
    if (p.reason != TerminalReason::detected) continue;
    ++hits[std::size_t(p.channel)];
    const double straight =
        exact_norm(p.position - d.source, p.position_low) * D::index / c_mm_per_ns;
    early += p.time < straight * (1 - 1e-5);
    if (!(p.history & history::rayleigh_scatter))
      late_direct += !(std::fabs(p.time - straight) < 1e-5 * straight) || p.steps != 1;
  }
  const auto count = [&](TerminalReason r) { return counts[static_cast<int>(r)]; };
  std::size_t unlit = 0;
  std::string unlit_list;
  for (std::int32_t k = 0; k < D::channels; ++k)
    if (n * d.direct_detection(k) >= 10 && hits[std::size_t(k)] == 0)
      ++unlit, unlit_list += " " + std::to_string(k);
  INFO(n << " photons: detected " << count(TerminalReason::detected) << ", surface absorbed "
         << count(TerminalReason::surface_absorbed) << ", bulk absorbed "
         << count(TerminalReason::bulk_absorbed) << ", out of steps "
         << count(TerminalReason::max_steps) << ", NaN " << count(TerminalReason::nan_abort));
  INFO(count(TerminalReason::escaped) << " escaped photons (id from position):" << escaped);
  INFO("channels expecting hits that got none:" << unlit_list);
  CHECK(count(TerminalReason::escaped) == 0);
  CHECK(count(TerminalReason::nan_abort) == 0);
  CHECK(count(TerminalReason::max_steps) == 0);
  CHECK(count(TerminalReason::detected) > 0);
  CHECK(count(TerminalReason::detected) + count(TerminalReason::surface_absorbed) +
            count(TerminalReason::bulk_absorbed) ==
        n);
  CHECK(bad_channel == 0);
  CHECK(off_pmt == 0);
  CHECK(off_wall == 0);
  CHECK(off_triangle == 0);
  CHECK(early == 0);
  CHECK(late_direct == 0);
  CHECK(unlit == 0);
}

// The statistics of the same detector: of the photons ending on a PMT a fraction QE is detected
// (binomial); unscattered detections per channel against direct_detection() (χ² over the 36
// channels and the rest, 36 dof), which holds only if every placement's mesh sits where its
// transform puts it.
template <class Space>
void check_instanced_detector_statistics(std::uint32_t n) {
  using D = InstancedDetector;
  const D d;
  const std::vector<Photon> out = run_instanced_detector<Space>(d, n);
  std::size_t on_pmt = 0, detected = 0;
  std::vector<double> observed(D::channels + 1, 0.0), expected;
  for (const Photon& p : out) {
    if (p.channel < 0 || p.channel >= D::channels) continue;
    const bool hit = p.reason == TerminalReason::detected;
    on_pmt += hit || p.reason == TerminalReason::surface_absorbed;
    detected += hit;
    if (hit && !(p.history & history::rayleigh_scatter)) observed[std::size_t(p.channel)] += 1;
  }
  double direct = 0, p_direct = 0;
  for (std::int32_t k = 0; k < D::channels; ++k) {
    direct += observed[std::size_t(k)];
    p_direct += d.direct_detection(k);
    expected.push_back(n * d.direct_detection(k));
  }
  observed[D::channels] = n - direct;
  expected.push_back(n * (1 - p_direct));
  check_binomial(detected, on_pmt, D::quantum_efficiency, "detected of those ending on a PMT");
  const ChiSquare c = chi_square(observed, expected);
  INFO("unscattered hits " << direct << ", expected " << n * p_direct << "; χ² = " << c.chi2
                           << " on " << c.dof << " dof, p = " << c.p_value);
  CHECK(c.p_value > 1e-3);
}

// Detected and total photons of one run with its own seed (for comparing backends on independent
// samples).
struct DetectedCount {
  std::size_t detected, n;
};

template <class Space>
DetectedCount instanced_detector_detected(std::uint32_t n, std::uint64_t seed) {
  const std::vector<Photon> out = run_instanced_detector<Space>(InstancedDetector{}, n, seed);
  return {count_reason(out, TerminalReason::detected), n};
}

}  // namespace chroma2::test
