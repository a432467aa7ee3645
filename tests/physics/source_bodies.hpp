// SPDX-License-Identifier: BSD-3-Clause
// Photon source bodies, one per property, templated on the memory space: test_sources.cpp runs
// them with Host (expand() and the std::jthread worker), gpu_sources.cu with Device (the expansion
// kernel and the persistent kernel). Fixed seeds; the statistical bodies draw 10^6 photons and
// compare with analytic distributions at p > 1e-3 (|z| < 3.29).
#pragma once

#include "analytic_geometry.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/core/concepts/photon_source.hpp"
#include "chroma2/physics/sources.hpp"
#include "chroma2/physics/wavelength_spec.hpp"
#include "optical_bodies.hpp"
#include "support/stats.hpp"

#if defined(__CUDACC__)
#include "chroma2/physics/device_sources.hpp"
#endif

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_exception.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

namespace chroma2::test {

inline constexpr double source_pi = 3.14159265358979323846;

// Expansion in a space, always read back into a host vector.
template <class Space>
struct SourceExpander;

template <>
struct SourceExpander<Host> {
  template <PhotonSource S>
  static std::vector<Photon> run(const S& s, std::uint64_t seed, std::uint32_t event) {
    return expand(s, seed, event);
  }
};

#if defined(__CUDACC__)
template <>
struct SourceExpander<Device> {
  template <PhotonSource S>
  static std::vector<Photon> run(const S& s, std::uint64_t seed, std::uint32_t event) {
    const Buffer<Photon, Device> b = expand_on_device(s, seed, event);
    std::vector<Photon> out(b.size());
    Device::copy_to_host(out.data(), b.data(), b.bytes());
    Device::synchronize({});
    return out;
  }
};
#endif

template <class Space, PhotonSource S>
std::vector<Photon> expand_in(const S& s, std::uint64_t seed, std::uint32_t event) {
  return SourceExpander<Space>::run(s, seed, event);
}

// Photons copied into a buffer of the space (the storage of a PhotonListSource).
template <class Space>
Buffer<Photon, Space> photons_in(const std::vector<Photon>& v) {
  Buffer<Photon, Space> b(v.size());
  Space::copy_from_host(b.data(), v.data(), b.bytes());
  Space::synchronize({});
  return b;
}

// χ² of unit vectors on an equal-area binning of the sphere: cos θ × φ, each binned uniformly.
inline ChiSquare sphere_chi_square(const std::vector<Vec3>& v, int cos_bins, int phi_bins) {
  std::vector<double> observed(std::size_t(cos_bins * phi_bins), 0.0);
  const std::vector<double> expected(observed.size(), double(v.size()) / observed.size());
  for (const Vec3 d : v) {
    const int i = std::clamp(int((d.z + 1.0) / 2.0 * cos_bins), 0, cos_bins - 1);
    const double phi = std::atan2(double(d.y), double(d.x)) + source_pi;
    const int j = std::clamp(int(phi / (2 * source_pi) * phi_bins), 0, phi_bins - 1);
    observed[std::size_t(i * phi_bins + j)] += 1;
  }
  return chi_square(observed, expected);
}

// The azimuth (in [0, 2π]) of the unit vector q perpendicular to the unit vector d, in a basis
// around d of the test's own (not the source's basis_around): a uniformly random azimuth in any
// basis is uniform in this one too, a fixed or biased one is not.
inline double azimuth_around(Vec3 d, Vec3 q) {
  const Vec3 a = std::fabs(d.x) < 0.9f ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
  const Vec3 u = normalize(cross(d, a));
  const Vec3 w = cross(d, u);
  return std::atan2(double(dot(q, w)), double(dot(q, u))) + source_pi;
}

// χ² of samples binned uniformly over [lo, hi] against a CDF.
template <class Cdf>
ChiSquare binned_chi_square(const std::vector<double>& x, double lo, double hi, int bins, Cdf cdf) {
  std::vector<double> observed(std::size_t(bins), 0.0), expected;
  for (const double v : x)
    observed[std::size_t(std::clamp(int((v - lo) / (hi - lo) * bins), 0, bins - 1))] += 1;
  for (int b = 0; b < bins; ++b)
    expected.push_back(x.size() *
                       (cdf(lo + (hi - lo) * (b + 1) / bins) - cdf(lo + (hi - lo) * b / bins)));
  return chi_square(observed, expected);
}

// The stream rule's bookkeeping: id = index, the event, a counter of the `words` drawn, alive,
// no step, a primary.
inline void check_identity(const std::vector<Photon>& v, std::uint32_t event, std::uint32_t words) {
  std::size_t good = 0;
  for (std::size_t i = 0; i < v.size(); ++i)
    good += v[i].id == i && v[i].event == event && v[i].rng_counter == words &&
            v[i].reason == TerminalReason::alive && v[i].steps == 0 && v[i].generation == 0;
  CHECK(good == v.size());
}

// Largest |1 − |v|| and |dot(polarisation, direction)| over the photons.
struct BeamFrame {
  double worst_norm = 0, worst_dot = 0;
};
inline BeamFrame beam_frame(const std::vector<Photon>& v) {
  BeamFrame f;
  for (const Photon& p : v) {
    f.worst_norm = std::max({f.worst_norm, std::fabs(double(norm(p.direction)) - 1.0),
                             std::fabs(double(norm(p.polarisation)) - 1.0)});
    f.worst_dot = std::max(f.worst_dot, std::fabs(double(dot(p.direction, p.polarisation))));
  }
  return f;
}

// An isotropic point source: directions pass χ² on a 20 × 20 equal-area binning and their mean is
// 0 within statistics; polarisations are unit, perpendicular (max |dot| < 1e-5), uniform in
// azimuth around their direction (χ² over 36 bins) and so isotropic themselves; position, time,
// material and a fixed wavelength are copied exactly; three draws use one RNG block.
template <class Space>
void check_point_isotropic(std::uint32_t n) {
  PointIsotropicSource s;
  s.position = {1.5f, -2.0f, 3.25f};
  s.time = 5.0f;
  s.photon_count = n;
  s.wavelength = WavelengthSpec::fixed(420.0f);
  s.material = 2;
  const auto v = expand_in<Space>(s, 2024, 3);
  REQUIRE(v.size() == n);
  check_identity(v, 3, 3);  // direction 2, polarisation 1
  std::size_t copied = 0;
  for (const Photon& p : v)
    copied += p.position == s.position && p.time == 5.0f && p.wavelength == 420.0f &&
              p.material == 2 && p.weight == 1.0f && p.history == 0 &&
              p.position_low == Vec3{0, 0, 0};
  CHECK(copied == n);
  const BeamFrame f = beam_frame(v);
  INFO("worst |1 - |v|| " << f.worst_norm << ", worst |dot| " << f.worst_dot);
  CHECK(f.worst_norm < 1e-5);
  CHECK(f.worst_dot < 1e-5);
  std::vector<Vec3> dirs, pols;
  std::vector<double> pol_phi;
  double mean[3] = {0, 0, 0};
  for (const Photon& p : v) {
    dirs.push_back(p.direction);
    pols.push_back(p.polarisation);
    pol_phi.push_back(azimuth_around(p.direction, p.polarisation));
    mean[0] += p.direction.x, mean[1] += p.direction.y, mean[2] += p.direction.z;
  }
  const ChiSquare cd = sphere_chi_square(dirs, 20, 20);
  const ChiSquare cp = sphere_chi_square(pols, 20, 20);
  INFO("directions χ² = " << cd.chi2 << " on " << cd.dof << " dof, p = " << cd.p_value);
  INFO("polarisations χ² = " << cp.chi2 << " on " << cp.dof << " dof, p = " << cp.p_value);
  CHECK(cd.p_value > 1e-3);
  CHECK(cp.p_value > 1e-3);
  const ChiSquare ca = chi_square_flat(pol_phi, 0.0, 2 * source_pi, 36);
  INFO("polarisation azimuth around the direction χ² = " << ca.chi2 << " on " << ca.dof
                                                         << " dof, p = " << ca.p_value);
  CHECK(ca.p_value > 1e-3);
  const double sd = std::sqrt(1.0 / (3.0 * n));  // a component of an isotropic unit vector: var 1/3
  for (double m : mean) {
    INFO("mean direction component " << m / n << " (sd " << sd << ")");
    CHECK(std::fabs(m / n) < 3.29 * sd);
  }
}

// The photons depend on (seed, event, index) only: the same call gives the same photons, another
// event or seed other draws with the same ids.
template <class Space>
void check_source_keys() {
  PointIsotropicSource s;
  s.photon_count = 1000;
  s.wavelength = WavelengthSpec::uniform(300.0f, 600.0f);
  const auto a = expand_in<Space>(s, 7, 0);
  const auto b = expand_in<Space>(s, 7, 0);
  const auto c = expand_in<Space>(s, 7, 1);
  const auto d = expand_in<Space>(s, 8, 0);
  REQUIRE(a.size() == 1000);
  std::size_t same = 0, same_event = 0, same_seed = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    same += std::memcmp(&a[i], &b[i], sizeof(Photon)) == 0;
    same_event += a[i].direction == c[i].direction || a[i].wavelength == c[i].wavelength;
    same_seed += a[i].direction == d[i].direction || a[i].wavelength == d[i].wavelength;
  }
  CHECK(same == 1000);
  CHECK(same_event == 0);
  CHECK(same_seed == 0);
  check_identity(c, 1, 4);  // direction 2, polarisation 1, wavelength 1
  check_identity(d, 0, 4);
}

// A uniform wavelength range: every wavelength in [300, 600] nm, flat by χ² over 60 bins; the
// fourth draw still fits the first RNG block.
template <class Space>
void check_uniform_wavelength(std::uint32_t n) {
  PointIsotropicSource s;
  s.photon_count = n;
  s.wavelength = WavelengthSpec::uniform(300.0f, 600.0f);
  const auto v = expand_in<Space>(s, 99, 0);
  REQUIRE(v.size() == n);
  check_identity(v, 0, 4);
  std::vector<double> w;
  std::size_t inside = 0;
  for (const Photon& p : v) {
    w.push_back(p.wavelength);
    inside += p.wavelength >= 300.0f && p.wavelength <= 600.0f;
  }
  CHECK(inside == n);
  const ChiSquare c = chi_square_flat(w, 300.0, 600.0, 60);
  INFO("uniform wavelengths χ² = " << c.chi2 << " on " << c.dof << " dof, p = " << c.p_value);
  CHECK(c.p_value > 1e-3);
}

// Tabulated spectra drawn by inverse CDF, χ² over 50 bins against the analytic CDF: a triangle
// (350 nm to 600 nm, peak at 400 nm, tabulated every 25 nm), and a Geant4-style table flat per
// unit energy over [2, 3] eV, whose wavelengths have F(λ) = 3 − hc/λ.
template <class Space>
void check_spectrum_wavelength(std::uint32_t n) {
  const double a = 350, c = 400, b = 600;
  SpectralTable tri;
  for (double x = a; x <= b; x += 25) {
    tri.x.push_back(x);
    tri.y.push_back(x <= c ? 2.0 * (x - a) / (c - a) : 2.0 * (b - x) / (b - c));  // relative
  }
  const auto tri_cdf = [&](double x) {
    if (x <= a) return 0.0;
    if (x >= b) return 1.0;
    return x <= c ? (x - a) * (x - a) / ((b - a) * (c - a))
                  : 1.0 - (b - x) * (b - x) / ((b - a) * (b - c));
  };
  SpectralTable flat_ev{{2.0, 2.25, 2.5, 2.75, 3.0}, {1, 1, 1, 1, 1}, SpectralUnit::electronvolt};
  const double ev_lo = hc_ev_nm / 3.0, ev_hi = hc_ev_nm / 2.0;
  const auto ev_cdf = [&](double x) { return std::clamp(3.0 - hc_ev_nm / x, 0.0, 1.0); };

  struct Case {
    const char* name;
    SpectralTable table;
    double lo, hi;
    std::function<double(double)> cdf;
  };
  const Case cases[] = {{"triangle", tri, a, b, tri_cdf},
                        {"flat in energy", flat_ev, ev_lo, ev_hi, ev_cdf}};
  for (const Case& k : cases) {
    const Spectrum<Space> spectrum(k.table, k.name);
    CHECK(std::fabs(spectrum.lo_nm() - k.lo) < 1e-9 * k.lo);
    CHECK(std::fabs(spectrum.hi_nm() - k.hi) < 1e-9 * k.hi);
    PointIsotropicSource s;
    s.photon_count = n;
    s.wavelength = spectrum.wavelengths();
    const auto v = expand_in<Space>(s, 5, 0);
    REQUIRE(v.size() == n);
    check_identity(v, 0, 4);
    std::vector<double> w;
    std::size_t inside = 0;
    for (const Photon& p : v) {
      w.push_back(p.wavelength);
      // the range ends, within a float rounding
      inside += p.wavelength >= k.lo * (1 - 1e-6) && p.wavelength <= k.hi * (1 + 1e-6);
    }
    CHECK(inside == n);
    const ChiSquare chi = binned_chi_square(w, k.lo, k.hi, 50, k.cdf);
    INFO(k.name << " spectrum χ² = " << chi.chi2 << " on " << chi.dof
                << " dof, p = " << chi.p_value);
    CHECK(chi.p_value > 1e-3);
  }
}

// A disc beam along (1, 2, 2)/3 from (10, −5, 3) mm of radius 50 mm: every photon starts in the
// disc's plane (|offset · direction| < 1e-4 mm) and within the radius, r²/R² is uniform (KS) and
// the azimuth uniform (χ² over 36 bins, measured in a basis of the test's own); the direction and
// a fixed polarisation are copied exactly. With random polarisation, the polarisation is unit,
// perpendicular and uniform in azimuth around the beam.
template <class Space>
void check_beam(std::uint32_t n) {
  BeamSource s;
  s.centre = {10.0f, -5.0f, 3.0f};
  s.direction = normalize(Vec3{1, 2, 2});
  s.radius = 50.0f;
  s.polarisation = normalize(cross(s.direction, Vec3{0, 0, 1}));
  s.time = 2.5f;
  s.photon_count = n;
  s.wavelength = WavelengthSpec::fixed(450.0f);
  const Vec3 d = s.direction;
  for (int random_pol = 0; random_pol < 2; ++random_pol) {
    INFO((random_pol ? "random polarisation" : "fixed polarisation"));
    s.random_polarisation = random_pol;
    const auto v = expand_in<Space>(s, 31, 0);
    REQUIRE(v.size() == n);
    check_identity(v, 0,
                   static_cast<std::uint32_t>(2 + random_pol));  // position 2, polarisation 0 or 1
    std::vector<double> r2, phi, pol_phi;
    double worst_plane = 0, worst_radius = 0;
    std::size_t copied = 0;
    for (const Photon& p : v) {
      const Vec3 q = p.position - s.centre;
      const double along = double(q.x) * d.x + double(q.y) * d.y + double(q.z) * d.z;
      const double rr = double(q.x) * q.x + double(q.y) * q.y + double(q.z) * q.z;
      worst_plane = std::max(worst_plane, std::fabs(along));
      worst_radius = std::max(worst_radius, std::sqrt(rr));
      r2.push_back(rr / (50.0 * 50.0));
      phi.push_back(azimuth_around(d, q));
      pol_phi.push_back(azimuth_around(d, p.polarisation));
      copied += p.direction == s.direction && p.time == 2.5f && p.wavelength == 450.0f &&
                p.material == unknown_material && (random_pol || p.polarisation == s.polarisation);
    }
    CHECK(copied == n);
    INFO("worst distance from the disc's plane " << worst_plane << " mm, largest radius "
                                                 << worst_radius << " mm");
    CHECK(worst_plane < 1e-4);
    CHECK(worst_radius <= 50.0 * (1 + 1e-6));
    const double ks = ks_statistic(r2, [](double x) { return std::clamp(x, 0.0, 1.0); });
    INFO("r²/R² KS D = " << ks << ", critical " << ks_critical(n, 1e-3));
    CHECK(ks < ks_critical(n, 1e-3));
    const ChiSquare c = chi_square_flat(phi, 0.0, 2 * source_pi, 36);
    INFO("azimuth χ² = " << c.chi2 << " on " << c.dof << " dof, p = " << c.p_value);
    CHECK(c.p_value > 1e-3);
    if (random_pol) {
      const BeamFrame f = beam_frame(v);
      INFO("worst |1 - |v|| " << f.worst_norm << ", worst |dot| " << f.worst_dot);
      CHECK(f.worst_norm < 1e-5);
      CHECK(f.worst_dot < 1e-5);
      const ChiSquare cp = chi_square_flat(pol_phi, 0.0, 2 * source_pi, 36);
      INFO("polarisation azimuth χ² = " << cp.chi2 << " on " << cp.dof
                                        << " dof, p = " << cp.p_value);
      CHECK(cp.p_value > 1e-3);
    }
  }
}

// The worker continues each photon's stream where the source left it: in an infinite absorber
// (L = 100 mm, no scattering) a photon's path is −L ln u with u the first word of its stream
// (RngKey{seed, id = index, event}) at the expanded rng_counter, to 1e-5 relative; the same
// photons run twice end bit-identical. A photon started at counter 0 instead would reuse its
// direction's word: almost none match that.
template <class Space>
void check_stream_continues(std::uint32_t n) {
  const double length = 100.0;
  const std::uint64_t seed = 4242;
  MaterialSet<Space> materials({simple_material("absorber", 1.33, length)});
  SurfaceSet<Space> surfaces;
  OpticalPhysics<InfiniteMedium> physics{{}, materials.ref(), surfaces.ref()};
  PointIsotropicSource s;
  s.position = {20.0f, 30.0f, -40.0f};
  s.photon_count = n;
  s.wavelength = WavelengthSpec::uniform(400.0f, 500.0f);
  CHECK(resolve_material(s, InfiniteMedium{}) == 0);
  const auto in = expand_in<Space>(s, seed, 0);
  REQUIRE(in.size() == n);
  check_identity(in, 0, 4);
  const auto out = propagate<Space>(physics, in, 10000, seed);
  const auto again = propagate<Space>(physics, in, 10000, seed);
  check_conservation(in, out);
  REQUIRE(again.size() == out.size());
  std::size_t identical = 0, absorbed = 0, continued = 0, from_zero = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    identical += std::memcmp(&out[i], &again[i], sizeof(Photon)) == 0;
    const Photon& p = out[i];
    absorbed += p.reason == TerminalReason::bulk_absorbed && p.steps == 1;
    const double dx = double(p.position.x) + p.position_low.x - s.position.x;
    const double dy = double(p.position.y) + p.position_low.y - s.position.y;
    const double dz = double(p.position.z) + p.position_low.z - s.position.z;
    const double path = std::sqrt(dx * dx + dy * dy + dz * dz);
    const auto expected_from = [&](std::uint32_t counter) {
      PhotonRng<Philox4x32Policy> rng({}, RngKey{seed, p.id, p.event}, counter);
      return -length * std::log(double(rng.uniform()));
    };
    const double e = expected_from(in[i].rng_counter);
    continued += std::fabs(path - e) <= 1e-5 * e + 1e-6;
    const double z = expected_from(0);
    from_zero += std::fabs(path - z) <= 1e-5 * z + 1e-6;
  }
  INFO(continued << " of " << n << " paths as the continued stream gives, " << from_zero
                 << " as a restarted one would");
  CHECK(identical == n);
  CHECK(absorbed == n);
  CHECK(continued == n);
  CHECK(from_zero < n / 100);
}

// A beam that straddles two materials: the plane x = 0 contains the beam's axis (+z through the
// origin, radius 10 mm), so no photon crosses it (equal indices, parallel paths); material 0
// (L = 50 mm) for x < 0, material 1 (L = 200 mm) for x >= 0. Each photon's first step resolves its
// own material: every photon ends bulk-absorbed in its side's material, its x unchanged, and
// the path lengths (final z) on each side follow that side's exponential (KS, and the mean within
// 3.29 standard errors); the sides split 50/50.
template <class Space>
void check_beam_straddling_materials(std::uint32_t n) {
  const double short_length = 50.0, long_length = 200.0;
  MaterialSet<Space> materials(
      {simple_material("short", 1.33, short_length), simple_material("long", 1.33, long_length)});
  SurfaceSet<Space> surfaces;
  PlaneGeometry plane;
  plane.point = {0, 0, 0};
  plane.normal = {1, 0, 0};
  plane.inside = 0;   // x < 0
  plane.outside = 1;  // x >= 0
  OpticalPhysics<PlaneGeometry> physics{plane, materials.ref(), surfaces.ref()};
  BeamSource s;
  s.centre = {0, 0, 0};
  s.direction = {0, 0, 1};
  s.radius = 10.0f;
  s.polarisation = {0, 1, 0};
  s.photon_count = n;
  s.wavelength = WavelengthSpec::fixed(420.0f);
  const auto in = expand_in<Space>(s, 77, 0);
  REQUIRE(in.size() == n);
  const auto out = propagate<Space>(physics, in, 10000, 77);
  check_conservation(in, out);
  std::vector<double> z[2];
  std::size_t right_material = 0, absorbed = 0, same_x = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Photon& p = out[i];
    const int side = in[i].position.x >= 0.0f ? 1 : 0;
    right_material += p.material == side;
    absorbed += p.reason == TerminalReason::bulk_absorbed && p.steps == 1;
    same_x += p.position.x == in[i].position.x && p.position_low.x == 0.0f;
    z[side].push_back(double(p.position.z) + p.position_low.z);
  }
  CHECK(right_material == n);
  CHECK(absorbed == n);
  CHECK(same_x == n);
  check_binomial(z[1].size(), n, 0.5, "photons on the x >= 0 side");
  const double lengths[2] = {short_length, long_length};
  for (int side = 0; side < 2; ++side) {
    const double L = lengths[side];
    const std::vector<double>& zs = z[side];
    double mean = 0;
    for (double v : zs) mean += v;
    mean /= zs.size();
    const double se = L / std::sqrt(double(zs.size()));
    const double ks = ks_statistic(zs, [&](double x) { return 1.0 - std::exp(-x / L); });
    INFO("side " << side << ": mean path " << mean << " mm, expected " << L
                 << " (z = " << (mean - L) / se << "); KS D = " << ks << ", critical "
                 << ks_critical(zs.size(), 1e-3));
    CHECK(std::fabs(mean - L) < 3.29 * se);
    CHECK(ks < ks_critical(zs.size(), 1e-3));
  }
}

// A point source drawn at the first step: expansion draws nothing (counter 0, the requests set,
// every record the same but for its id), and the worker's first step makes the very photons the
// drawing expansion makes — bit for bit on the host; on the GPU within the device-math tolerance
// (the two draws run in different kernels, whose fused multiply-adds may differ).
template <class Space>
void check_point_source_drawn_at_first_step(std::uint32_t n) {
  for (const bool uniform : {true, false}) {
    INFO((uniform ? "uniform 400-800 nm" : "fixed 420 nm"));
    PointIsotropicSource s;
    s.position = {10.0f, -20.0f, 30.0f};
    s.time = 1.5f;
    s.photon_count = n;
    s.wavelength =
        uniform ? WavelengthSpec::uniform(400.0f, 800.0f) : WavelengthSpec::fixed(420.0f);
    const auto drawn = expand_in<Space>(s, 17, 0);
    s.draw_at_first_step = 1;
    const auto requests = expand_in<Space>(s, 17, 0);
    REQUIRE(requests.size() == n);
    check_identity(requests, 0, 0);
    const std::uint32_t asked = history::isotropic_init | (uniform ? history::wavelength_init : 0u);
    std::size_t alike = 0;
    for (const Photon& p : requests) {
      Photon q = requests[0];
      q.id = p.id;
      alike += std::memcmp(&p, &q, sizeof(Photon)) == 0 && p.history == asked;
    }
    CHECK(alike == n);
    // both through the worker in an absorber: the same endings
    MaterialSet<Space> materials({simple_material("absorber", 1.33, 50.0)});
    SurfaceSet<Space> surfaces;
    OpticalPhysics<InfiniteMedium> physics{{}, materials.ref(), surfaces.ref()};
    const auto a = propagate<Space>(physics, drawn, 10000, 17);
    const auto b = propagate<Space>(physics, requests, 10000, 17);
    check_conservation(drawn, a);
    check_conservation(requests, b);
    std::size_t identical = 0, same = 0;
    double worst_direction = 0, worst_wavelength = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      identical += std::memcmp(&a[i], &b[i], sizeof(Photon)) == 0;
      same += a[i].reason == b[i].reason && a[i].rng_counter == b[i].rng_counter &&
              a[i].history == b[i].history;
      const Vec3 dd = a[i].direction - b[i].direction;
      worst_direction = std::max(worst_direction, double(std::sqrt(dot(dd, dd))));
      worst_wavelength =
          std::max(worst_wavelength, double(std::fabs(a[i].wavelength - b[i].wavelength)));
    }
    INFO(identical << " of " << n << " identical; worst direction difference " << worst_direction
                   << ", wavelength " << worst_wavelength << " nm");
    if constexpr (std::is_same_v<Space, Host>) {
      CHECK(identical == n);
    } else {
      CHECK(same >= n - n / 1000);
      CHECK(worst_direction < 1e-5);
      CHECK(worst_wavelength < 1e-3);
    }
  }
  // a spectrum is drawn at expansion, never at the first step
  Spectrum<Host> spectrum(SpectralTable{{400.0, 500.0}, {1.0, 1.0}});
  PointIsotropicSource bad;
  bad.photon_count = 1;
  bad.wavelength = spectrum.wavelengths();
  bad.draw_at_first_step = 1;
  CHECK_THROWS_WITH(validate(bad), Catch::Matchers::ContainsSubstring("tabulated spectrum"));
}

// An explicit list in the space's memory: photon i is entry i with the stream rule's identity
// (id = i whatever the entry's id, counter 0, the event) and nothing else changed. Entries asking
// for isotropic_init keep the bit; the worker then draws their direction from their stream at
// counter 0 (the same direction PhotonRng gives on the host, within 2e-6) and clears it.
template <class Space>
void check_photon_list(std::uint32_t n) {
  std::vector<Photon> entries;
  for (std::uint32_t i = 0; i < n; ++i) {
    Photon p = make_photon(1000 + 7 * i, {float(i), 0, 0}, {0, 0, 1}, {1, 0, 0},
                           400.0f + float(i % 100), i % 2 == 1);
    p.time = 0.5f * i;
    p.rng_counter = 12345;
    p.steps = 9;
    p.reason = TerminalReason::escaped;
    entries.push_back(p);
  }
  const Buffer<Photon, Space> stored = photons_in<Space>(entries);
  const PhotonListSource s{stored.data(), n};
  const auto v = expand_in<Space>(s, 3, 0);
  REQUIRE(v.size() == n);
  check_identity(v, 0, 0);
  std::size_t kept = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    Photon e = entries[i];
    e.id = i;
    e.rng_counter = 0;
    e.steps = 0;
    e.reason = TerminalReason::alive;
    kept += std::memcmp(&e, &v[i], sizeof(Photon)) == 0;
  }
  CHECK(kept == n);

  MaterialSet<Space> materials({simple_material("absorber", 1.0, 10.0)});
  SurfaceSet<Space> surfaces;
  OpticalPhysics<InfiniteMedium> physics{{}, materials.ref(), surfaces.ref()};
  const auto out = propagate<Space>(physics, v, 10000, 3);
  check_conservation(v, out);
  std::size_t initialised = 0, untouched = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Photon& p = out[i];
    if (i % 2 == 1) {
      PhotonRng<Philox4x32Policy> rng({}, RngKey{3, i, 0}, 0);
      const Vec3 d = rng.isotropic();
      const Vec3 diff = p.direction - d;
      initialised += !(p.history & history::isotropic_init) &&
                     std::max({std::fabs(diff.x), std::fabs(diff.y), std::fabs(diff.z)}) < 2e-6f;
    } else {
      untouched += p.direction == Vec3{0, 0, 1};
    }
  }
  CHECK(initialised == n / 2);
  CHECK(untouched == n - n / 2);
}

// Bad input: a chroma2::Error in the house form ("problem (why) — what to do") naming the value.
template <class F>
void check_rejects(F&& f, const char* fragment) {
  using Catch::Matchers::ContainsSubstring;
  using Catch::Matchers::MessageMatches;
  INFO("expecting an error containing \"" << fragment << "\"");
  CHECK_THROWS_MATCHES(f(), chroma2::Error,
                       MessageMatches(ContainsSubstring(fragment) && ContainsSubstring(" (") &&
                                      ContainsSubstring("\u2014")));
}

template <class Space>
void check_bad_sources() {
  // spectra: each problem names the spectrum and the entry
  const auto spectrum = [](SpectralTable t) { return [t] { Spectrum<Space> s(t, "lamp"); }; };
  check_rejects(spectrum({{300, 400, 500}, {1, -1, 1}}),
                "source spectrum 'lamp' intensity entry 1 (x = 400 nm, y = -1) is not allowed");
  check_rejects(spectrum({{300, 500, 400}, {1, 1, 1}}),
                "intensity entry 2 (x = 400 nm, y = 1) breaks the order of the grid");
  check_rejects(spectrum({{300, std::nan("")}, {1, 1}}),
                "entry 1 (x = nan nm, y = 1) is not finite");
  check_rejects(spectrum({{-10, 400}, {1, 1}}),
                "entry 0 (x = -10 nm, y = 1) has a wavelength <= 0");
  check_rejects(spectrum({{300, 400}, {0, 0}}), "source spectrum 'lamp' intensity integrates to 0");
  check_rejects(spectrum({{300}, {1}}), "has 1 entries");
  check_rejects(spectrum({{300, 400, 500}, {1, 1}}), "has 3 x values and 2 y values");

  const auto expands = [](auto source) { return [source] { expand_in<Space>(source, 1, 0); }; };
  PointIsotropicSource point;
  point.photon_count = 10;
  point.wavelength = WavelengthSpec::fixed(420.0f);
  CHECK_NOTHROW(expand_in<Space>(point, 1, 0));
  PointIsotropicSource p = point;
  p.position.x = std::nanf("");
  check_rejects(expands(p), "point source position (nan, 0, 0) mm is not finite");
  check_rejects([&] { resolve_material(p, InfiniteMedium{}); }, "point source position");
  p = point;
  p.time = std::numeric_limits<float>::infinity();
  check_rejects(expands(p), "point source time inf ns is not finite");
  p = point;
  p.wavelength = WavelengthSpec::fixed(0.0f);
  check_rejects(expands(p), "point source wavelength 0 nm is not a positive finite number");
  p.wavelength = WavelengthSpec{};
  check_rejects(expands(p), "point source wavelength 0 nm");
  p.wavelength = WavelengthSpec::uniform(600.0f, 300.0f);
  check_rejects(expands(p), "point source wavelength range has lo = 600 nm above hi = 300 nm");
  p.wavelength = WavelengthSpec::uniform(-1.0f, 300.0f);
  check_rejects(expands(p), "point source wavelength range [-1 nm, 300 nm]");
  p.wavelength = WavelengthSpec::tabulated({});
  check_rejects(expands(p), "point source wavelength spectrum has no table bound");
  p = point;
  p.material = -3;
  check_rejects(expands(p), "point source material -3 is not a material index");

  BeamSource beam;
  beam.photon_count = 10;
  beam.radius = 1.0f;
  beam.wavelength = WavelengthSpec::fixed(420.0f);
  CHECK_NOTHROW(expand_in<Space>(beam, 1, 0));
  BeamSource b = beam;
  b.direction = {0, 0, 0};
  check_rejects(expands(b), "beam source direction (0, 0, 0) has length 0");
  b.direction = {0, 0, 2};
  check_rejects(expands(b), "beam source direction (0, 0, 2) has length 2 (it must be a unit");
  b.direction = {0, std::nanf(""), 1};
  check_rejects(expands(b), "beam source direction (0, nan, 1) is not finite");
  b = beam;
  b.centre.z = -std::numeric_limits<float>::infinity();
  check_rejects(expands(b), "beam source centre (0, 0, -inf) mm is not finite");
  b = beam;
  b.radius = -1.0f;
  check_rejects(expands(b), "beam source radius -1 mm is not allowed");
  b = beam;
  b.polarisation = {0.6f, 0.0f, 0.8f};
  check_rejects(expands(b),
                "beam source polarisation (0.600000024, 0, 0.800000012) is not "
                "perpendicular to its direction (0, 0, 1)");
  b.random_polarisation = 1;  // then the fixed one is not used
  CHECK_NOTHROW(expand_in<Space>(b, 1, 0));
  b = beam;
  b.wavelength = WavelengthSpec::uniform(500.0f, 400.0f);
  check_rejects(expands(b), "beam source wavelength range has lo = 500 nm above hi = 400 nm");

  check_rejects(expands(PhotonListSource{nullptr, 5}),
                "photon list source of 5 photons has no photons");

  // a count of 0 is allowed: nothing to expand
  point.photon_count = 0;
  beam.photon_count = 0;
  CHECK(expand_in<Space>(point, 1, 0).empty());
  CHECK(expand_in<Space>(beam, 1, 0).empty());
  CHECK(expand_in<Space>(PhotonListSource{nullptr, 0}, 1, 0).empty());
}

}  // namespace chroma2::test
