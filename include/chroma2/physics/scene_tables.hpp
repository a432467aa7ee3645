// SPDX-License-Identifier: BSD-3-Clause
// Before a detector runs: every material and surface id its triangles (and its world) name must
// have tables in the material and surface sets the physics is given, or a photon would meet an
// index with no properties. The error names the mesh, the triangle and the id.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/scene.hpp"

#include <cstdint>
#include <string>

namespace chroma2 {

inline void check_scene_tables(const Scene& scene, std::int32_t materials, std::int32_t surfaces) {
  const auto bad_material = [&](std::int32_t m) { return m < 0 || m >= materials; };
  if (bad_material(scene.world_material))
    fail("the world material " + std::to_string(scene.world_material) + " has no tables",
         std::to_string(materials) + " materials are defined",
         "give the material set an entry for it or change the scene's world material");
  for (std::size_t k = 0; k < scene.meshes.size(); ++k) {
    const Mesh& mesh = scene.meshes[k];
    const std::string name =
        mesh.name.empty() ? "mesh " + std::to_string(k) : "mesh '" + mesh.name + "'";
    for (std::size_t t = 0; t < mesh.materials.size(); ++t) {
      const TriangleMaterials& m = mesh.materials[t];
      const auto where = name + " triangle " + std::to_string(t);
      if (bad_material(m.inner) || bad_material(m.outer))
        fail(where + " names material " + std::to_string(bad_material(m.inner) ? m.inner : m.outer),
             "only " + std::to_string(materials) + " materials have tables",
             "add the material's tables or fix the mesh's material ids");
      if (m.surface < -1 || m.surface >= surfaces)
        fail(where + " names surface " + std::to_string(m.surface),
             "only " + std::to_string(surfaces) + " surfaces have tables (-1: none)",
             "add the surface's tables or fix the mesh's surface ids");
    }
  }
}

}  // namespace chroma2
