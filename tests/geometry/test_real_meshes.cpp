// SPDX-License-Identifier: BSD-3-Clause
// Real meshes from the shared data folder (skipped without it): Chroma's STL models, and the demo
// detector's PMT and wall, load as described and their closest hits match the reference.
#include "geometry/bodies.hpp"
#include "support/data.hpp"

#include "chroma2/io/chroma_demo.hpp"
#include "chroma2/io/stl.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("Chroma's STL models load with their stated triangle counts and match the reference",
          "[geometry][io][real][host]") {
  const auto dir = require_data_dir() / "meshes";
  const std::pair<const char*, std::size_t> files[] = {{"companioncube.stl", 17245},
                                                       {"liberty.stl", 17060},
                                                       {"tie_interceptor6.stl", 8844},
                                                       {"lionsolid.stl", 74358},
                                                       {"MiniFig.stl", 14832}};
  std::uint64_t seed = 100;
  for (const auto& [name, count] : files) {
    INFO(name);
    LoadedMesh l = load_stl(dir / name);
    CHECK(l.mesh.size() == count);
    const std::size_t rays = count > 50000 ? 2000 : 4000;  // brute force cost stays < 2 s
    check_scene<HostBackend>(scene_of(std::move(l.mesh)), rays, ++seed);
  }
}

TEST_CASE("The demo detector's PMT and wall load from .npy and match the reference",
          "[geometry][io][real][host]") {
  const auto dir = require_data_dir() / "chroma-demo";
  const Scene tiny = load_chroma_demo(dir, "tiny");
  CHECK(tiny.placements.size() == 54);
  CHECK(tiny.placed_triangles() == 389568);
  CHECK(tiny.meshes[1].size() == 5856);
  std::size_t slivers = 0;
  for (std::size_t t = 0; t < tiny.meshes[0].size(); ++t) slivers += tiny.meshes[0].area(t) < 1e-6;
  CHECK(tiny.meshes[0].degenerate_triangles().empty());
  Scene pmt;
  pmt.world_material = 2;
  pmt.add_placement(pmt.add_mesh(tiny.meshes[1].clone()));
  check_scene<HostBackend>(pmt, 10000, 201);
  // the whole tiny detector, instanced: every ray from the centre hits something
  const auto g = build_geometry(tiny);
  std::mt19937_64 rng(5);
  std::size_t missed = 0;
  for (int i = 0; i < 20000; ++i)
    missed += !g.ref().closest_hit({{0, 0, 0}, 0, isotropic(rng), 1e30f}).hit();
  CHECK(missed == 0);
  check_scene<HostBackend>(tiny, 1000, 202);
}

TEST_CASE("The full demo detector loads with its 10,056 placements and the wall's slivers",
          "[geometry][io][real][host]") {
  const auto dir = require_data_dir() / "chroma-demo";
  const Scene full = load_chroma_demo(dir, "full");
  CHECK(full.placements.size() == 10056);
  CHECK(full.placed_triangles() == 58961296);
  std::size_t slivers = 0;
  for (std::size_t t = 0; t < full.meshes[0].size(); ++t) slivers += full.meshes[0].area(t) < 1e-6;
  CHECK(slivers == 16);
  const auto g = build_geometry(full);
  CHECK(g.stats().degenerate_triangles == 0);
  CHECK(g.bytes() < 50u * 1000 * 1000);
}
