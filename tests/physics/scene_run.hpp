// SPDX-License-Identifier: BSD-3-Clause
// A triangle scene end to end for the detector bodies: its material and surface tables built in
// the body's memory space and checked against the scene, its BVH built on the host (and uploaded
// for a device body), and the photons run through OpticalPhysics and the real worker. Returns
// the final photons by id and, for the bodies that check it, the geometry's build statistics.
#pragma once

#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/physics/optical_physics.hpp"
#include "chroma2/physics/scene_tables.hpp"
#include "optical_bodies.hpp"

#include <type_traits>
#include <vector>

namespace chroma2::test {

struct SceneRun {
  std::vector<Photon> photons;  // final, sorted by id
  GeometryBuildStats stats;
};

template <class Space>
SceneRun run_scene(const Scene& scene, const std::vector<MaterialSpec>& material_specs,
                   const std::vector<SurfaceSpec>& surface_specs,
                   const std::vector<Photon>& photons, std::uint32_t max_steps,
                   std::uint64_t seed = 11) {
  MaterialSet<Space> materials(material_specs);
  SurfaceSet<Space> surfaces(surface_specs);
  check_scene_tables(scene, materials.size(), surfaces.size());
  check_surface_models<StandardSurfaceModels>(surface_specs);
  BvhBuildOptions options;
  options.threads = 2;
  const TriangleGeometry<Host> built = build_geometry(scene, options);
  const auto run = [&](const TriangleGeometryRef& g) {
    const OpticalPhysics<TriangleGeometryRef> physics{g, materials.ref(), surfaces.ref()};
    return propagate<Space>(physics, photons, max_steps, seed);
  };
  SceneRun r;
  r.stats = built.stats();
  if constexpr (std::is_same_v<Space, Host>) {
    r.photons = run(built.ref());
  } else {
    const TriangleGeometry<Space> uploaded(built);
    r.photons = run(uploaded.ref());
  }
  check_conservation(photons, r.photons);
  return r;
}

}  // namespace chroma2::test
