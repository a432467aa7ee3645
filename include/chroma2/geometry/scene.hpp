// SPDX-License-Identifier: BSD-3-Clause
// Scene: the host description of a detector before it is built — unique meshes, placements of
// them (rigid transform, optional detector channel) and the world material. A mesh placed many
// times is stored once; flattened() gives the same detector as one mesh (the baseline).
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/mesh.hpp"
#include "chroma2/geometry/transform.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace chroma2 {

struct Placement {
  std::uint32_t mesh;
  RigidTransform transform;   // mesh frame -> world, mm
  std::int32_t channel = -1;  // detector channel, -1 for none
};

// Which placement and triangle each triangle of a flattened scene came from.
struct FlatOrigin {
  std::uint32_t instance;
  std::uint32_t primitive;
};

class Scene {
 public:
  Scene() = default;
  Scene(Scene&&) noexcept = default;
  Scene& operator=(Scene&&) noexcept = default;
  Scene(const Scene&) = delete;
  Scene& operator=(const Scene&) = delete;

  std::vector<Mesh> meshes;
  std::vector<Placement> placements;
  std::int32_t world_material = 0;

  std::uint32_t add_mesh(Mesh mesh) {
    mesh.validate(mesh.name.empty() ? "mesh " + std::to_string(meshes.size()) : mesh.name);
    meshes.push_back(std::move(mesh));
    return static_cast<std::uint32_t>(meshes.size() - 1);
  }
  std::uint32_t add_placement(std::uint32_t mesh,
                              const RigidTransform& t = RigidTransform::identity(),
                              std::int32_t channel = -1) {
    if (mesh >= meshes.size())
      fail("placement of mesh " + std::to_string(mesh) + ", which does not exist",
           "the scene has " + std::to_string(meshes.size()) + " meshes",
           "add the mesh first and use the id add_mesh returned");
    placements.push_back({mesh, t, channel});
    return static_cast<std::uint32_t>(placements.size() - 1);
  }
  std::size_t placed_triangles() const {
    std::size_t n = 0;
    for (const auto& p : placements) n += meshes[p.mesh].size();
    return n;
  }

  // The same detector as one mesh in world coordinates, placed once; `origin`, if given, receives
  // for every flattened triangle the (placement, triangle) it came from.
  Scene flattened(std::vector<FlatOrigin>* origin = nullptr) const {
    Mesh flat;
    flat.name = "flattened";
    const std::size_t total = placed_triangles();
    flat.triangles.reserve(total);
    flat.materials.reserve(total);
    if (origin) origin->clear(), origin->reserve(total);
    for (std::uint32_t p = 0; p < placements.size(); ++p) {
      const Mesh& m = meshes[placements[p].mesh];
      const auto base = static_cast<std::uint32_t>(flat.vertices.size());
      for (const Vec3 v : m.vertices) flat.vertices.push_back(placements[p].transform.apply(v));
      for (std::uint32_t t = 0; t < m.size(); ++t) {
        const auto& tri = m.triangles[t];
        flat.triangles.push_back({tri[0] + base, tri[1] + base, tri[2] + base});
        flat.materials.push_back(m.materials_of(t));
        if (origin) origin->push_back({p, t});
      }
    }
    Scene s;
    s.world_material = world_material;
    s.meshes.push_back(std::move(flat));
    s.placements.push_back({0, RigidTransform::identity(), -1});
    return s;
  }
};

}  // namespace chroma2
