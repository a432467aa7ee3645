// SPDX-License-Identifier: BSD-3-Clause
// The built-in default detector: a water Cherenkov detector made from code alone, so a newcomer
// can run something real without any file. A spherical tank (8 m radius by default) of pure water
// (physics/pure_water.hpp: measured index, absorption and Rayleigh scattering) lined with 10,000
// instanced 8-inch PMTs (geometry/pmt.hpp) facing the centre at 40 % photocathode coverage, a
// black liner behind them, and an isotropic point source at the centre with a Cherenkov-like
// spectrum (intensity per nm ∝ 1/λ², 300-600 nm). examples/scenes/default.toml is the same
// detector as a scene file. Units: mm, nm.
//
// Ids: materials 0 water, 1 glass, 2 vacuum, 3 outside (beyond the liner); surfaces 0
// photocathode, 1 pmt_back, 2 liner. PMT k has channel k.
#pragma once

#include "chroma2/geometry/arrays.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/pmt.hpp"
#include "chroma2/io/detector_spec.hpp"
#include "chroma2/physics/pure_water.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chroma2 {

struct DefaultDetectorOptions {
  float tank_radius_mm = 8000.0f;
  std::uint32_t pmt_count = 10000;
  PmtShape pmt{};
  float pmt_standoff_mm = 250.0f;  // bulb centre to the liner
  int tank_subdivisions = 5;       // geodesic sphere: 20 * 4^5 triangles
};

namespace detail {

// A wavelength grid (nm) and values from a function of wavelength.
template <class F>
SpectralTable tabulate_nm(double lo, double hi, double step, F f) {
  SpectralTable t;
  for (double x = lo; x <= hi + 1e-9; x += step) {
    t.x.push_back(x);
    t.y.push_back(f(x));
  }
  return t;
}

// Linear interpolation in a short (x, y) list, clamped at its ends.
inline double interpolate(const std::vector<double>& x, const std::vector<double>& y, double at) {
  if (at <= x.front()) return y.front();
  if (at >= x.back()) return y.back();
  std::size_t i = 1;
  while (x[i] < at) ++i;
  const double f = (at - x[i - 1]) / (x[i] - x[i - 1]);
  return y[i - 1] + f * (y[i] - y[i - 1]);
}

}  // namespace detail

// A representative borosilicate PMT glass (not a measured melt): Cauchy index
// n = 1.462 + 3200 nm^2 / λ^2 (n_d = 1.471) and an ultraviolet edge near 300 nm.
inline MaterialSpec default_pmt_glass() {
  MaterialSpec m;
  m.name = "glass";
  m.refractive_index =
      detail::tabulate_nm(200, 800, 10, [](double l) { return 1.462 + 3200.0 / (l * l); });
  const std::vector<double> x{200, 290, 300, 320, 340, 360, 800};
  const std::vector<double> y{0.1, 0.5, 3, 50, 300, 1000, 1000};  // mm
  m.absorption_length =
      detail::tabulate_nm(200, 800, 10, [&](double l) { return detail::interpolate(x, y, l); });
  return m;
}

// A representative bialkali photocathode behind borosilicate glass: detection probability
// (quantum efficiency times collection) peaking at 25.5 % near 380 nm, 10 % specular reflection,
// the rest absorbed.
inline SurfaceSpec default_photocathode() {
  const std::vector<double> x{200, 290, 300, 320, 340, 360, 380, 400, 420, 440, 460,
                              480, 500, 520, 540, 560, 580, 600, 620, 650, 700, 800};
  const std::vector<double> qe{0,     0,    0.02, 0.12,  0.2,   0.24, 0.255, 0.25,
                               0.24,  0.22, 0.2,  0.175, 0.145, 0.11, 0.08,  0.055,
                               0.035, 0.02, 0.01, 0.003, 0,     0};
  SurfaceSpec s;
  s.name = "photocathode";
  s.model = static_cast<std::uint32_t>(SurfaceModel::chroma);
  s.detect = {x, qe, SpectralUnit::nanometre};
  s.reflect_specular = {x, std::vector<double>(x.size(), 0.1), SpectralUnit::nanometre};
  std::vector<double> absorb;
  for (double q : qe) absorb.push_back(0.9 - q);
  s.absorb = {x, absorb, SpectralUnit::nanometre};
  return s;
}

// A surface absorbing `absorb` of the photons and reflecting `diffuse` of them diffusely (the rest,
// if any, meets the boundary as a plain dielectric).
inline SurfaceSpec default_black(const std::string& name, double absorb, double diffuse = 0) {
  SurfaceSpec s;
  s.name = name;
  s.model = static_cast<std::uint32_t>(SurfaceModel::chroma);
  s.absorb = {{100, 2000}, {absorb, absorb}, SpectralUnit::nanometre};
  if (diffuse > 0) s.reflect_diffuse = {{100, 2000}, {diffuse, diffuse}, SpectralUnit::nanometre};
  return s;
}

inline DetectorSpec default_detector(const DefaultDetectorOptions& o = {}) {
  const float reach = o.pmt.bulb_radius_mm + o.pmt_standoff_mm;
  if (!(o.tank_radius_mm > 2 * reach) ||
      !(o.pmt_standoff_mm > pmt_length(o.pmt) - o.pmt.bulb_radius_mm))
    fail("invalid default detector (tank radius " + std::to_string(o.tank_radius_mm) +
             " mm, PMT standoff " + std::to_string(o.pmt_standoff_mm) + " mm)",
         "the PMTs' backs must clear the liner and the tank must be larger than two PMTs",
         "increase the tank radius or the standoff");
  DetectorSpec d;
  d.name = "default: water Cherenkov sphere";
  d.materials = {pure_water("water"), default_pmt_glass(), MaterialSpec{}, MaterialSpec{}};
  d.materials[2].name = "vacuum";
  d.materials[2].refractive_index = {{100, 2000}, {1, 1}, SpectralUnit::nanometre};
  d.materials[3].name = "outside";
  d.materials[3].refractive_index = {{100, 2000}, {1, 1}, SpectralUnit::nanometre};
  d.surfaces = {default_photocathode(), default_black("pmt_back", 1.0),
                default_black("liner", 0.95, 0.05)};
  Scene& s = d.scene;
  s.world_material = 3;
  Mesh tank = make_geodesic_sphere(o.tank_radius_mm, o.tank_subdivisions, {0, 3, 2});
  tank.name = "tank";
  s.add_placement(s.add_mesh(std::move(tank)));
  const std::uint32_t pmt = s.add_mesh(make_pmt(o.pmt, {0, 1, 2, 0, 1}));
  const auto placements = sphere_array(o.pmt_count, o.tank_radius_mm, o.pmt_standoff_mm);
  for (std::uint32_t k = 0; k < placements.size(); ++k)
    s.add_placement(pmt, placements[k], static_cast<std::int32_t>(k));
  d.channels = count_channels(s);
  d.source.kind = SourceSpec::Kind::point;
  d.source.wavelength.kind = WavelengthChoice::Kind::spectrum;
  d.source.wavelength.lo_nm = 300;
  d.source.wavelength.hi_nm = 600;
  d.source.wavelength.spectrum =
      detail::tabulate_nm(300, 600, 5, [](double l) { return 1.0 / (l * l); });
  return d;
}

}  // namespace chroma2
