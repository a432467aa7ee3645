// SPDX-License-Identifier: BSD-3-Clause
// End-to-end validation bodies of OpticalPhysics, one body per property, templated on the memory
// space: the host tests call them with Host (std::jthread workers), gpu_physics.cu with Device
// (the persistent kernel). Photons go through the real PersistentWorker; every body checks
// conservation (each photon comes back once, in one terminal state) besides its own statistic.
#pragma once

#include "analytic_geometry.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/physics/optical_physics.hpp"
#include "support/scale.hpp"
#include "support/stats.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <set>
#include <span>
#include <vector>

namespace chroma2::test {

inline constexpr double c_mm_per_ns = 299.792458;

// y = value over [200, 900] nm.
inline SpectralTable flat_table(double value) { return {{200.0, 900.0}, {value, value}}; }

// A material with a constant index and lengths (mm; <= 0 means none).
inline MaterialSpec simple_material(const char* name, double n, double absorption = 0,
                                    double scattering = 0) {
  MaterialSpec m;
  m.name = name;
  m.refractive_index = flat_table(n);
  if (absorption > 0) m.absorption_length = flat_table(absorption);
  if (scattering > 0) m.scattering_length = flat_table(scattering);
  return m;
}

// A photon at `position` going along `direction` with polarisation `polarisation` (or drawn
// isotropically on the device when isotropic is set).
inline Photon make_photon(std::uint64_t id, Vec3 position, Vec3 direction, Vec3 polarisation,
                          float wavelength, bool isotropic = false) {
  Photon p{};
  p.position = position;
  p.direction = direction;
  p.polarisation = polarisation;
  p.wavelength = wavelength;
  p.weight = 1.0f;
  p.id = id;
  p.event = 0;
  p.history = isotropic ? history::isotropic_init : 0u;
  return p;
}

// Runs the photons through a worker of the given space to the end; returns them sorted by id.
template <class Space, class Physics>
std::vector<Photon> propagate(const Physics& physics, const std::vector<Photon>& photons,
                              std::uint32_t max_steps = 10000, std::uint64_t seed = 11) {
  WorkerOptions o;
  o.page_capacity = 1u << 16;
  o.max_events = 1;
  o.max_steps = max_steps;
  o.micro_steps = 64;
  o.seed = seed;
  o.output_capacity = 1u << 18;
  if (test_scale() < 1) o.grid = 4;
  PersistentWorker<Physics, Space> w(physics, o);
  std::vector<Photon> out = w.run_event(photons);
  std::sort(out.begin(), out.end(), [](const Photon& a, const Photon& b) { return a.id < b.id; });
  return out;
}

// Every photon once, ended, and the terminal reasons add up.
inline void check_conservation(const std::vector<Photon>& in, const std::vector<Photon>& out) {
  REQUIRE(out.size() == in.size());
  std::size_t dup = 0, alive = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    dup += i > 0 && out[i].id == out[i - 1].id;
    alive += out[i].reason == TerminalReason::alive;
  }
  CHECK(dup == 0);
  CHECK(alive == 0);
}

inline std::size_t count_reason(const std::vector<Photon>& v, TerminalReason r) {
  return static_cast<std::size_t>(
      std::count_if(v.begin(), v.end(), [r](const Photon& p) { return p.reason == r; }));
}

// A binomial count against its expectation: |z| below 3.29 (two-sided p > 1e-3).
inline void check_binomial(std::size_t k, std::size_t n, double p, const char* what) {
  const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
  const double z = sd > 0 ? (k - mean) / sd : (k == mean ? 0.0 : 1e9);
  INFO(what << ": " << k << " of " << n << ", expected " << mean << " (z = " << z << ")");
  CHECK(std::fabs(z) < 3.29);
}

// Beer–Lambert: in an absorbing medium with no scattering, the distance travelled before
// absorption is exponential with the absorption length (KS over every photon).
template <class Space>
void check_beer_lambert(std::uint32_t n) {
  const double length = 125.0;  // mm
  MaterialSet<Space> materials({simple_material("absorber", 1.33, length)});
  SurfaceSet<Space> surfaces;
  OpticalPhysics<InfiniteMedium> physics{{}, materials.ref(), surfaces.ref()};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < n; ++i)
    in.push_back(make_photon(i, {0, 0, 0}, {0, 0, 1}, {1, 0, 0}, 420.0f));
  const auto out = propagate<Space>(physics, in);
  check_conservation(in, out);
  CHECK(count_reason(out, TerminalReason::bulk_absorbed) == n);
  std::vector<double> z;
  for (const Photon& p : out) z.push_back(double(p.position.z) + p.position_low.z);
  const double d = ks_statistic(z, [&](double x) { return 1.0 - std::exp(-x / length); });
  INFO("KS D = " << d << " over " << n << " paths; critical (p = 1e-3) " << ks_critical(n, 1e-3));
  CHECK(d < ks_critical(n, 1e-3));
  // the time follows the path at the group velocity (constant index: c / n)
  double worst = 0;
  for (const Photon& p : out)
    worst = std::max(
        worst, std::fabs(p.time - (double(p.position.z) + p.position_low.z) * 1.33 / c_mm_per_ns) /
                   (p.time + 1e-30));
  CHECK(worst < 1e-5);
}

// Absorption against Rayleigh scattering: the first interaction is a scattering with probability
// L_abs / (L_abs + L_scat); stopped after one step, scattered photons end with max_steps and
// carry the rayleigh_scatter bit, absorbed ones bulk_absorb.
template <class Space>
void check_absorption_scattering_race(std::uint32_t n) {
  MaterialSet<Space> materials({simple_material("murky", 1.33, 100.0, 50.0)});
  SurfaceSet<Space> surfaces;
  OpticalPhysics<InfiniteMedium> physics{{}, materials.ref(), surfaces.ref()};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < n; ++i)
    in.push_back(make_photon(i, {0, 0, 0}, {0, 0, 1}, {1, 0, 0}, 420.0f));
  const auto out = propagate<Space>(physics, in, 1);
  check_conservation(in, out);
  std::size_t scattered = 0, absorbed = 0, flagged = 0;
  for (const Photon& p : out) {
    scattered += p.reason == TerminalReason::max_steps;
    absorbed += p.reason == TerminalReason::bulk_absorbed;
    flagged +=
        (p.reason == TerminalReason::max_steps) ==
        ((p.history & history::rayleigh_scatter) != 0 && (p.history & history::max_steps) != 0);
  }
  CHECK(scattered + absorbed == n);
  CHECK(flagged == n);
  check_binomial(scattered, n, 100.0 / 150.0, "scattered first");
}

// Time of flight uses the group velocity: with n = A + B/λ² tabulated every 10 nm, a photon
// crossing d mm to a detecting plane arrives at d·(A + 3B/λ²)/c (the group index of the analytic
// formula, not one recomputed by the code under test), within the table's central-difference
// error; the phase velocity c/n would be early by 2B/(λ²n): 1 to 5 % here.
template <class Space>
void check_group_velocity_timing() {
  const double A = 1.32, B = 3000.0, d = 1000.0;
  MaterialSpec water = simple_material("cauchy", 1.0);
  water.refractive_index = {};
  for (double l = 300; l <= 800; l += 10) {
    water.refractive_index.x.push_back(l);
    water.refractive_index.y.push_back(A + B / (l * l));
  }
  SurfaceSpec detector;
  detector.name = "detector";
  detector.detect = flat_table(1.0);
  MaterialSet<Space> materials({water, simple_material("beyond", 1.0)});
  SurfaceSet<Space> surfaces({detector});
  PlaneGeometry plane;
  plane.point = {0, 0, float(d)};
  plane.normal = {0, 0, -1};  // inside (material 1) beyond the plane, outside (0) before it
  plane.inside = 1;
  plane.outside = 0;
  plane.surface = 0;
  OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
  const float wavelengths[] = {350.0f, 425.0f, 505.0f, 640.0f, 777.0f};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < 5; ++i)
    in.push_back(make_photon(i, {0, 0, 0}, {0, 0, 1}, {1, 0, 0}, wavelengths[i]));
  const auto out = propagate<Space>(physics, in);
  check_conservation(in, out);
  for (std::uint32_t i = 0; i < 5; ++i) {
    const double l = wavelengths[i];
    const double expected = d * (A + 3 * B / (l * l)) / c_mm_per_ns;
    // the group index from central differences on a 10 nm grid: error <= 4·B·h²·λ/(λ−h)⁵ + the
    // interpolation between nodes; 3e-4 relative covers both at 350 nm and above
    INFO("λ = " << l << " nm: arrival " << out[i].time << " ns, expected " << expected);
    CHECK(out[i].reason == TerminalReason::detected);
    CHECK(std::fabs(out[i].time - expected) < 3e-4 * expected);
    const double phase = d * (A + B / (l * l)) / c_mm_per_ns;  // what c/n would give
    CHECK(std::fabs(out[i].time - phase) > 0.5 * (expected - phase));
  }
}

// A plane between n1 = 1.0 and n2 = 1.5: the fraction of photons reflected at incidence angle θ
// for s and p polarisation equals the Fresnel reflectance (the photons then leave the geometry).
template <class Space>
void check_fresnel_fractions(std::uint32_t n) {
  MaterialSet<Space> materials({simple_material("air", 1.0), simple_material("glass", 1.5)});
  SurfaceSet<Space> surfaces;
  PlaneGeometry plane;  // z = 0, air below (inside), glass above (outside)
  plane.inside = 0;
  plane.outside = 1;
  OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
  for (double theta_deg : {30.0, 60.0, 80.0}) {
    const double th = theta_deg * 3.14159265358979323846 / 180.0;
    const double ci = std::cos(th), si = std::sin(th), ct = std::sqrt(1 - si * si / 2.25);
    const double rs = (ci - 1.5 * ct) / (ci + 1.5 * ct), rp = (1.5 * ci - ct) / (1.5 * ci + ct);
    const Vec3 d{float(si), 0.0f, float(ci)};
    const Vec3 e_s{0, 1, 0}, e_p{float(ci), 0.0f, float(-si)};
    for (int pol = 0; pol < 2; ++pol) {
      std::vector<Photon> in;
      for (std::uint32_t i = 0; i < n; ++i)
        in.push_back(make_photon(i, {-float(si), 0.0f, -float(ci)}, d, pol ? e_p : e_s, 420.0f));
      const auto out = propagate<Space>(physics, in);
      check_conservation(in, out);
      std::size_t reflected = 0, escaped = 0;
      for (const Photon& p : out) {
        reflected += p.direction.z < 0;
        escaped += p.reason == TerminalReason::escaped;
      }
      CHECK(escaped == n);
      INFO("θ = " << theta_deg << "°, " << (pol ? "p" : "s"));
      check_binomial(reflected, n, pol ? rp * rp : rs * rs, "reflected");
    }
  }
}

// Chroma's surface model at a wavelength between table nodes: detect, absorb, diffuse and
// specular reflection with the interpolated probabilities, the remainder a Fresnel boundary
// (normal incidence 1.0 → 1.5: R = 0.04), so specular = p_s + (1 − Σp)·R and transmitted =
// (1 − Σp)(1 − R). χ² over the five outcomes.
template <class Space>
void check_chroma_surface(std::uint32_t n) {
  SurfaceSpec s;
  s.name = "coated";
  s.detect = {{400.0, 500.0}, {0.10, 0.30}};            // 0.20 at 450 nm
  s.absorb = {{400.0, 500.0}, {0.15, 0.05}};            // 0.10
  s.reflect_diffuse = {{400.0, 500.0}, {0.05, 0.25}};   // 0.15
  s.reflect_specular = {{400.0, 500.0}, {0.08, 0.02}};  // 0.05
  MaterialSet<Space> materials({simple_material("air", 1.0), simple_material("glass", 1.5)});
  SurfaceSet<Space> surfaces({s});
  PlaneGeometry plane;
  plane.inside = 0;
  plane.outside = 1;
  plane.surface = 0;
  OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < n; ++i)
    in.push_back(make_photon(i, {0, 0, -1}, {0, 0, 1}, {1, 0, 0}, 450.0f));
  const auto out = propagate<Space>(physics, in);
  check_conservation(in, out);
  std::vector<double> observed(5, 0.0);
  for (const Photon& p : out) {
    if (p.reason == TerminalReason::detected)
      observed[0] += 1;
    else if (p.reason == TerminalReason::surface_absorbed)
      observed[1] += 1;
    else if (p.history & history::reflect_diffuse)
      observed[2] += 1;
    else if (p.history & history::reflect_specular)
      observed[3] += 1;
    else if (p.direction.z > 0)
      observed[4] += 1;
  }
  const double rest = 1.0 - 0.5, R = 0.04;
  const std::vector<double> p{0.20, 0.10, 0.15, 0.05 + rest * R, rest * (1 - R)};
  std::vector<double> expected;
  for (double q : p) expected.push_back(q * n);
  const ChiSquare c = chi_square(observed, expected);
  INFO("χ² = " << c.chi2 << " on " << c.dof << " dof, p = " << c.p_value);
  CHECK(observed[0] + observed[1] + observed[2] + observed[3] + observed[4] == n);
  CHECK(c.p_value > 1e-3);
}

// The chroma surface at a small scale (for the sanitizers): every photon once, in one terminal
// state, each with the history bit of its fate.
template <class Space>
void check_chroma_surface_conservation(std::uint32_t n) {
  SurfaceSpec s;
  s.name = "coated";
  s.detect = flat_table(0.2);
  s.absorb = flat_table(0.1);
  s.reflect_diffuse = flat_table(0.15);
  s.reflect_specular = flat_table(0.05);
  MaterialSet<Space> materials(
      {simple_material("air", 1.0, 500.0, 300.0), simple_material("glass", 1.5, 500.0, 300.0)});
  SurfaceSet<Space> surfaces({s});
  PlaneGeometry plane;
  plane.surface = 0;
  OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < n; ++i)
    in.push_back(make_photon(i, {0, 0, -1}, {0, 0, 1}, {1, 0, 0}, 450.0f, i % 2 == 1));
  const auto out = propagate<Space>(physics, in);
  check_conservation(in, out);
  std::size_t consistent = 0;
  for (const Photon& p : out)
    consistent += (history_of(p.reason) & p.history) == history_of(p.reason) &&
                  p.reason != TerminalReason::nan_abort && p.reason != TerminalReason::alive;
  CHECK(consistent == n);
}

// Every standard surface model through the worker: a plane carrying each in turn, photons at
// 40° from both sides; every photon ends once, no NaN, and the endings carry their bits.
template <class Space>
void check_every_surface_model(std::uint32_t n) {
  std::vector<SurfaceSpec> specs;
  auto add = [&](SurfaceModel m, auto&& fill) {
    SurfaceSpec s;
    s.name = "model " + std::to_string(static_cast<int>(m));
    s.model = static_cast<std::uint32_t>(m);
    fill(s);
    specs.push_back(s);
  };
  ReemissionComponent c;
  c.share = 1.0;
  c.spectrum = {{400.0, 600.0}, {1.0, 1.0}};
  add(SurfaceModel::chroma, [&](SurfaceSpec& s) {
    s.detect = flat_table(0.1), s.absorb = flat_table(0.1), s.reemit = flat_table(0.1);
    s.reflect_diffuse = flat_table(0.1), s.reflect_specular = flat_table(0.1);
    s.transmit = flat_table(0.1), s.reemission = {c};
  });
  add(SurfaceModel::specular, [](SurfaceSpec&) {});
  add(SurfaceModel::lambertian, [](SurfaceSpec&) {});
  add(SurfaceModel::unified, [](SurfaceSpec& s) {
    s.sigma_alpha = 0.2, s.spike = 0.2, s.lobe = 0.5, s.backscatter = 0.1;
  });
  add(SurfaceModel::front_painted,
      [](SurfaceSpec& s) { s.reflectivity = flat_table(0.8), s.finish = ReflectorFinish::ground; });
  add(SurfaceModel::back_painted,
      [](SurfaceSpec& s) { s.reflectivity = flat_table(0.9), s.layer_index = flat_table(1.6); });
  add(SurfaceModel::metal, [](SurfaceSpec& s) {
    s.index_real = flat_table(1.2), s.index_imag = flat_table(2.5), s.efficiency = flat_table(0.3);
  });
  add(SurfaceModel::dichroic, [](SurfaceSpec& s) {
    s.dichroic_angles_deg = {0, 60};
    s.dichroic_reflectance = {flat_table(0.3), flat_table(0.6)};
    s.dichroic_transmittance = {flat_table(0.6), flat_table(0.3)};
  });
  add(SurfaceModel::wavelength_shifting,
      [&](SurfaceSpec& s) { s.reemit = flat_table(0.5), s.reemission = {c}; });
  check_surface_models<StandardSurfaceModels>(specs);
  MaterialSet<Space> materials({simple_material("water", 1.33, 2000.0, 1000.0),
                                simple_material("glass", 1.5, 2000.0, 1000.0)});
  SurfaceSet<Space> surfaces(specs);
  for (std::int32_t k = 0; k < surfaces.size(); ++k) {
    PlaneGeometry plane;
    plane.surface = k;
    OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
    std::vector<Photon> in;
    const float s40 = 0.6427876f, c40 = 0.7660444f;
    for (std::uint32_t i = 0; i < n; ++i) {
      const float side = i % 2 ? 1.0f : -1.0f;  // from below and from above
      in.push_back(make_photon(i, {0, 0, -side}, {s40, 0, side * c40}, {0, 1, 0}, 450.0f));
    }
    const auto out = propagate<Space>(physics, in, 1000);
    INFO("surface model " << specs[std::size_t(k)].name);
    check_conservation(in, out);
    std::size_t good = 0;
    for (const Photon& p : out)
      good += p.reason != TerminalReason::nan_abort &&
              (history_of(p.reason) & p.history) == history_of(p.reason) && std::isfinite(p.time) &&
              std::fabs(norm(p.direction) - 1.0f) < 1e-4f;
    CHECK(good == n);
  }
}

// Reflectors at a wavelength (and, for the dichroic, an angle) between their table nodes:
// front paint (reflectivity 0.75 at 450 nm between 0.6 and 0.9), metal (reflectivity 0.4,
// efficiency 0.3: reflected 0.4, detected 0.18, absorbed 0.42), dichroic at 30° between its 0° and
// 60° tables (R 0.4, T 0.5, absorbed 0.1). χ² over each one's outcomes.
template <class Space>
void check_reflector_fractions(std::uint32_t n) {
  SurfaceSpec paint;
  paint.name = "paint";
  paint.model = static_cast<std::uint32_t>(SurfaceModel::front_painted);
  paint.reflectivity = {{400.0, 500.0}, {0.6, 0.9}};
  SurfaceSpec metal;
  metal.name = "metal";
  metal.model = static_cast<std::uint32_t>(SurfaceModel::metal);
  metal.reflectivity = {{400.0, 500.0}, {0.2, 0.6}};
  metal.efficiency = {{400.0, 500.0}, {0.5, 0.1}};
  SurfaceSpec filter;
  filter.name = "filter";
  filter.model = static_cast<std::uint32_t>(SurfaceModel::dichroic);
  filter.dichroic_angles_deg = {0.0, 60.0};
  filter.dichroic_reflectance = {flat_table(0.2), flat_table(0.6)};
  filter.dichroic_transmittance = {flat_table(0.7), flat_table(0.3)};
  MaterialSet<Space> materials({simple_material("air", 1.0), simple_material("glass", 1.5)});
  SurfaceSet<Space> surfaces({paint, metal, filter});
  struct Case {
    const char* name;
    float angle_deg;
    std::vector<double> p;  // reflected, transmitted, detected, absorbed
  };
  const Case cases[] = {{"front paint", 0.0f, {0.75, 0.0, 0.0, 0.25}},
                        {"metal", 0.0f, {0.4, 0.0, 0.18, 0.42}},
                        {"dichroic", 30.0f, {0.4, 0.5, 0.0, 0.1}}};
  for (std::int32_t k = 0; k < 3; ++k) {
    const Case& c = cases[k];
    PlaneGeometry plane;
    plane.surface = k;
    OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
    const float a = c.angle_deg * 3.14159265f / 180.0f;
    const Vec3 d{std::sin(a), 0.0f, std::cos(a)};
    std::vector<Photon> in;
    for (std::uint32_t i = 0; i < n; ++i)
      in.push_back(make_photon(i, {-d.x, 0.0f, -d.z}, d, {0, 1, 0}, 450.0f));
    const auto out = propagate<Space>(physics, in);
    check_conservation(in, out);
    std::vector<double> observed(4, 0.0), expected;
    for (const Photon& p : out) {
      if (p.reason == TerminalReason::detected)
        observed[2] += 1;
      else if (p.reason == TerminalReason::surface_absorbed)
        observed[3] += 1;
      else if (p.direction.z < 0)
        observed[0] += 1;
      else
        observed[1] += 1;
    }
    std::vector<double> obs;
    for (int j = 0; j < 4; ++j)
      if (c.p[j] > 0)
        obs.push_back(observed[j]), expected.push_back(c.p[j] * n);
      else
        CHECK(observed[j] == 0);
    const ChiSquare chi = chi_square(obs, expected);
    INFO(c.name << ": χ² = " << chi.chi2 << " on " << chi.dof << " dof, p = " << chi.p_value);
    CHECK(chi.p_value > 1e-3);
  }
}

// A one-sided surface acts only on photons from its outer (normal) side: a detector there catches
// every photon from above and none from below, where the boundary is a plain dielectric; a
// two-sided one catches both.
template <class Space>
void check_one_sided_surface() {
  SurfaceSpec one, two;
  one.name = "one-sided";
  one.one_sided = true;
  one.detect = flat_table(1.0);
  two.name = "two-sided";
  two.detect = flat_table(1.0);
  MaterialSet<Space> materials({simple_material("air", 1.0), simple_material("glass", 1.5)});
  SurfaceSet<Space> surfaces({one, two});
  for (std::int32_t k = 0; k < 2; ++k) {
    PlaneGeometry plane;  // z = 0, normal +z: the outer side is above
    plane.surface = k;
    OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
    std::vector<Photon> in;
    for (std::uint32_t i = 0; i < 2000; ++i) {
      const float side = i % 2 ? 1.0f : -1.0f;  // odd: from above, even: from below
      in.push_back(make_photon(i, {0, 0, side}, {0, 0, -side}, {1, 0, 0}, 450.0f));
    }
    const auto out = propagate<Space>(physics, in);
    check_conservation(in, out);
    std::size_t above = 0, below = 0;
    for (const Photon& p : out)
      if (p.reason == TerminalReason::detected) (p.id % 2 ? above : below) += 1;
    INFO((k == 0 ? "one-sided" : "two-sided"));
    CHECK(above == 1000);
    CHECK(below == (k == 0 ? 0u : 1000u));
  }
}

// Translation invariance: a point source 10 float spacings at 30 m (19.53 µm) from a detecting
// plane, in a medium with a 10 µm absorption length and re-emission probability 0.9, at the
// origin and at (30 m, 0, 0): the same detected fraction (two-proportion z-test) and the same mean
// arrival time of detected photons (Welch's t) within statistics. What makes it pass: the
// position is a float pair (Photon::position_low keeps what a float at 30 m would round away, up
// to 1 µm per 10 µm step here); the ray is cast from the high part and reaches a margin behind it
// (a surface the high part has passed may still be ahead of the true position: without this, 4 %
// of the detections at 30 m were lost); hit distances are corrected by the low part; and the
// plane is intersected from origin-relative coordinates.
struct TranslationRun {
  double detected_fraction, mean_time, time_variance;
  std::size_t detected, n;
};

template <class Space>
TranslationRun run_translated_source(std::uint32_t n, float x0) {
  const float gap = 10.0f / 512.0f;  // mm: 10 float spacings at 30 m, exact at both places
  MaterialSpec medium = simple_material("wls", 1.5, 0.010);
  medium.reemission_probability = flat_table(0.9);
  ReemissionComponent c;
  c.share = 1.0;
  c.spectrum = {{400.0, 500.0}, {1.0, 1.0}};
  medium.reemission = {c};
  medium.reemission_conserves_energy = false;
  SurfaceSpec detector;
  detector.name = "detector";
  detector.detect = flat_table(1.0);
  MaterialSet<Space> materials({medium, simple_material("beyond", 1.0)});
  SurfaceSet<Space> surfaces({detector});
  PlaneGeometry plane;
  plane.point = {x0 + gap, 0, 0};
  plane.normal = {-1, 0, 0};  // the source's side is the outside
  plane.inside = 1;
  plane.outside = 0;
  plane.surface = 0;
  OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < n; ++i)
    in.push_back(make_photon(i, {x0, 0, 0}, {0, 0, 1}, {1, 0, 0}, 450.0f, true));
  const auto out = propagate<Space>(physics, in);
  check_conservation(in, out);
  TranslationRun r{0, 0, 0, 0, n};
  double sum = 0, sum2 = 0;
  for (const Photon& p : out)
    if (p.reason == TerminalReason::detected) {
      ++r.detected;
      sum += p.time;
      sum2 += double(p.time) * p.time;
    }
  CHECK(count_reason(out, TerminalReason::detected) +
            count_reason(out, TerminalReason::bulk_absorbed) ==
        n);
  r.detected_fraction = double(r.detected) / n;
  r.mean_time = sum / r.detected;
  r.time_variance = sum2 / r.detected - r.mean_time * r.mean_time;
  return r;
}

template <class Space>
void check_translation_invariance(std::uint32_t n) {
  const TranslationRun a = run_translated_source<Space>(n, 0.0f);
  const TranslationRun b = run_translated_source<Space>(n, 30000.0f);
  const double p = (a.detected + b.detected) / double(a.n + b.n);
  const double z = (a.detected_fraction - b.detected_fraction) / std::sqrt(p * (1 - p) * (2.0 / n));
  const double t = (a.mean_time - b.mean_time) /
                   std::sqrt(a.time_variance / a.detected + b.time_variance / b.detected);
  INFO("detected at the origin " << a.detected_fraction << ", at 30 m " << b.detected_fraction
                                 << " (z = " << z << "); mean time " << a.mean_time << " vs "
                                 << b.mean_time << " ns (t = " << t << ")");
  CHECK(a.detected_fraction > 0.2);
  CHECK(std::fabs(z) < 3.29);
  CHECK(std::fabs(t) < 3.29);
}

// A NaN photon ends at once with nan_abort, counted; the others are unaffected.
template <class Space>
void check_nan_photons() {
  MaterialSet<Space> materials({simple_material("water", 1.33, 1000.0)});
  SurfaceSet<Space> surfaces;
  OpticalPhysics<InfiniteMedium> physics{{}, materials.ref(), surfaces.ref()};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < 100; ++i)
    in.push_back(make_photon(i, {0, 0, 0}, {0, 0, 1}, {1, 0, 0}, 420.0f));
  in[7].position.x = std::nanf("");
  in[8].direction.y = std::numeric_limits<float>::infinity();
  in[9].wavelength = std::nanf("");
  in[10].time = -std::numeric_limits<float>::infinity();
  const auto out = propagate<Space>(physics, in);
  check_conservation(in, out);
  for (std::uint32_t i = 7; i <= 10; ++i) {
    CHECK(out[i].reason == TerminalReason::nan_abort);
    CHECK((out[i].history & history::nan_abort) != 0);
    CHECK(out[i].steps == 1);
  }
  CHECK(count_reason(out, TerminalReason::bulk_absorbed) == 96);
}

}  // namespace chroma2::test
