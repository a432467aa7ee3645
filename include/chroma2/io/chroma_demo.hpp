// SPDX-License-Identifier: BSD-3-Clause
// Builds Chroma's demo detectors ("full" and "tiny") instanced from their data export: two unique
// solids (wall and PMT) with per-triangle materials and surfaces, and their placements
// (world = R·v + t, mm) with detector channels. See chroma-demo/README.md in the data folder.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/geometry/scene.hpp"
#include "chroma2/io/npy.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace chroma2 {

namespace detail {
inline Mesh read_demo_solid(const std::filesystem::path& dir, const std::string& solid) {
  auto f = [&](const std::string& what) { return dir / (solid + "_" + what + ".npy"); };
  const NpyArray v = read_npy(f("vertices"), {0, 3});
  const NpyArray t = read_npy(f("triangles"), {0, 3});
  const std::size_t nt = t.shape[0];
  const NpyArray in = read_npy(f("material_inside"), {nt});
  const NpyArray out = read_npy(f("material_outside"), {nt});
  const NpyArray surf = read_npy(f("surface"), {nt});
  Mesh m;
  m.name = solid;
  const auto xyz = v.as<float>();
  for (std::size_t i = 0; i < v.shape[0]; ++i)
    m.add_vertex({xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]});
  const auto idx = t.as<std::int64_t>();
  const auto mi = in.as<std::int32_t>(), mo = out.as<std::int32_t>(), ms = surf.as<std::int32_t>();
  for (std::size_t i = 0; i < nt; ++i) {
    for (int k = 0; k < 3; ++k)
      if (idx[3 * i + k] < 0 || std::size_t(idx[3 * i + k]) >= v.shape[0])
        fail("'" + f("triangles").string() + "' row " + std::to_string(i) + " uses vertex " +
                 std::to_string(idx[3 * i + k]),
             "there are " + std::to_string(v.shape[0]) + " vertices", "use a consistent export");
    m.triangles.push_back(
        {std::uint32_t(idx[3 * i]), std::uint32_t(idx[3 * i + 1]), std::uint32_t(idx[3 * i + 2])});
    m.materials.push_back({mi[i], mo[i], ms[i]});
  }
  m.validate(solid);
  return m;
}
}  // namespace detail

// detector: "full" or "tiny". The world material is water (2), as in the demo.
inline Scene load_chroma_demo(const std::filesystem::path& dir, const std::string& detector) {
  if (detector != "full" && detector != "tiny")
    fail("unknown demo detector '" + detector + "'", "the data has 'full' and 'tiny'",
         "ask for one of those");
  Scene s;
  s.world_material = 2;
  const auto wall = s.add_mesh(detail::read_demo_solid(dir, detector + "_wall"));
  const auto pmt = s.add_mesh(detail::read_demo_solid(dir, "pmt"));
  auto f = [&](const std::string& what) {
    return dir / (detector + "_placement_" + what + ".npy");
  };
  const NpyArray solid = read_npy(f("solid"), {0});
  const std::size_t n = solid.shape[0];
  const auto sol = solid.as<std::int32_t>();
  const auto rot = read_npy(f("rotation"), {n, 3, 3}).as<float>();
  const auto tr = read_npy(f("translation"), {n, 3}).as<double>();
  const auto ch = read_npy(f("channel"), {n}).as<std::int32_t>();
  for (std::size_t p = 0; p < n; ++p) {
    if (sol[p] != 0 && sol[p] != 1)
      fail("'" + f("solid").string() + "' row " + std::to_string(p) + " names solid " +
               std::to_string(sol[p]),
           "0 is the wall and 1 the PMT", "use a consistent export");
    RigidTransform t;
    for (int k = 0; k < 9; ++k) t.r[k] = rot[9 * p + k];
    t.t = {float(tr[3 * p]), float(tr[3 * p + 1]), float(tr[3 * p + 2])};
    s.add_placement(sol[p] == 0 ? wall : pmt, t, ch[p]);
  }
  return s;
}

// The photons of Chroma's own benchmark on these detectors (the data folder's README): n photons at
// the origin at t = 0 with ids 0..n-1, direction and a perpendicular polarisation drawn
// isotropically from each photon's own stream at its first step (history::isotropic_init),
// wavelength uniform in 400-800 nm from a fixed sequence, so every driver, backend and run gets the
// very same photons.
inline std::vector<Photon> chroma_benchmark_photons(std::uint64_t n) {
  std::vector<Photon> v(n);
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  for (std::uint64_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    Photon& p = v[i];
    p.position = {0.0f, 0.0f, 0.0f};
    p.direction = {0.0f, 0.0f, 1.0f};     // replaced at the first step
    p.polarisation = {1.0f, 0.0f, 0.0f};  // replaced at the first step
    p.wavelength = 400.0f + 400.0f * static_cast<float>(state >> 40) * (1.0f / 16777216.0f);
    p.weight = 1.0f;
    p.id = i;
    p.history = history::isotropic_init;
  }
  return v;
}

}  // namespace chroma2
