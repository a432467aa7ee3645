// SPDX-License-Identifier: BSD-3-Clause
// TriangleGeometryRef: the trivially copyable view of a built detector that kernels and host
// threads receive by value. It models chroma2::Geometry: closest hit through a two-level BVH
// (placements over per-mesh BVHs) and the material at a point.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/invalid_index.hpp"
#include "chroma2/core/concepts/geometry.hpp"
#include "chroma2/geometry/bvh_node.hpp"
#include "chroma2/geometry/detail/intersect.hpp"
#include "chroma2/geometry/detail/traverse.hpp"
#include "chroma2/geometry/mesh.hpp"
#include "chroma2/geometry/transform.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

namespace chroma2 {

// A triangle in BVH order: three vertices (mm, mesh frame) and its index in the mesh, packed in
// three 16-byte words for vector loads.
struct alignas(16) PackedTriangle {
  Vec3 v0;
  std::uint32_t primitive;
  Vec3 v1;
  std::uint32_t pad1;
  Vec3 v2;
  std::uint32_t pad2;
};
static_assert(sizeof(PackedTriangle) == 48);

// One unique mesh: its BVH root and where its per-triangle materials start.
struct MeshRecord {
  std::uint32_t root;
  std::uint32_t material_offset;
  std::uint32_t triangles;  // triangles in the mesh (including those left out of its BVH)
  std::uint32_t bvh_triangles;
};

// One placement, in the order of the top-level BVH's leaves.
struct alignas(16) InstanceRecord {
  RigidTransform transform;  // mesh frame -> world
  std::uint32_t mesh;
  std::int32_t channel;
  std::uint32_t id;  // the placement's index as the user added it
  std::uint32_t pad;
};
static_assert(sizeof(InstanceRecord) == 64);

namespace detail {
CHROMA2_HD CHROMA2_FORCEINLINE PackedTriangle load_triangle(const PackedTriangle* p) {
  return load_ro(p);
}
CHROMA2_HD CHROMA2_FORCEINLINE InstanceRecord load_instance(const InstanceRecord* p) {
  return load_ro(p);
}
}  // namespace detail

// What one closest-hit query cost; see TriangleGeometryRef::closest_hit(ray, counters).
struct TraversalCounters {
  std::uint64_t nodes = 0, triangles = 0, instances = 0;
  CHROMA2_HD void node() { ++nodes; }
  CHROMA2_HD void triangle() { ++triangles; }
  CHROMA2_HD void instance() { ++instances; }
};

struct TriangleGeometryRef {
  const BvhNode* nodes = nullptr;  // top-level tree and every mesh's tree
  const PackedTriangle* triangles = nullptr;
  const TriangleMaterials* materials = nullptr;
  const MeshRecord* meshes = nullptr;
  const InstanceRecord* instances = nullptr;
  std::uint32_t top_root = 0;
  std::uint32_t instance_count = 0;
  std::int32_t world_material = 0;

  CHROMA2_HD Hit closest_hit(Ray ray) const {
    detail::NoTraversalCounters none;
    return closest_hit(ray, none);
  }

  // The same query, adding its cost to `counters` (benchmarks use it to say why a figure is what
  // it is).
  template <class Counters>
  CHROMA2_HD Hit closest_hit(Ray ray, Counters& counters) const {
    Hit h{};
    h.distance = ray.tmax;
    h.instance = invalid_index;
    h.primitive = invalid_index;
    h.surface = -1;
    h.channel = -1;
    h.inner_material = h.outer_material = world_material;
    if (instance_count == 0) return h;
    float tmax = ray.tmax;
    std::uint32_t best_instance = invalid_index, best_triangle = 0;
    float bu = 0, bv = 0;
    detail::traverse_instanced(
        nodes, top_root, ray.origin, ray.direction, ray.tmin, tmax,
        [&](std::uint32_t i, detail::PreparedRay& local) {
          const InstanceRecord inst = detail::load_instance(instances + i);
          local = detail::prepare_ray(inst.transform.apply_inverse(ray.origin),
                                      inst.transform.rotate_inverse(ray.direction));
          return detail::load_u32(&meshes[inst.mesh].root);
        },
        [&](std::uint32_t i, std::uint32_t first, std::uint32_t count,
            const detail::PreparedRay& local, float& tmax_mesh) {
          for (std::uint32_t j = first; j < first + count; ++j) {
            const PackedTriangle tri = detail::load_triangle(triangles + j);
            counters.triangle();
            float t, u, v;
            if (detail::ray_triangle(local, tri.v0, tri.v1, tri.v2, ray.tmin, tmax_mesh, t, u,
                                     v)) {
              tmax_mesh = t;
              best_instance = i;
              best_triangle = j;
              bu = u;
              bv = v;
            }
          }
        },
        counters);
    if (best_instance == invalid_index) return h;
    const InstanceRecord& inst = instances[best_instance];
    const PackedTriangle tri = detail::load_triangle(triangles + best_triangle);
    const TriangleMaterials m = materials[meshes[inst.mesh].material_offset + tri.primitive];
    h.distance = tmax;
    h.instance = inst.id;
    h.primitive = tri.primitive;
    h.u = bu;
    h.v = bv;
    h.normal = inst.transform.rotate(unit_normal(tri.v0, tri.v1, tri.v2));
    h.inner_material = m.inner;
    h.outer_material = m.outer;
    h.surface = m.surface;
    h.channel = inst.channel;
    return h;
  }

  // The material on the side of the nearest surface that a ray from p meets, else the world's.
  // Directions are fixed and skewed to no axis; a hit at a grazing angle asks the next one.
  CHROMA2_HD std::int32_t material_at(Vec3 p) const {
    const Vec3 dirs[3] = {{0.48507125f, 0.72760688f, 0.48507125f},
                          {-0.57735027f, 0.57735027f, -0.57735027f},
                          {0.26726124f, -0.53452248f, -0.80178373f}};
    Hit h{};
    float cosine = 0;
    for (int k = 0; k < 3; ++k) {
      h = closest_hit({p, 0.0f, dirs[k], std::numeric_limits<float>::infinity()});
      if (!h.hit()) return world_material;
      cosine = dot(dirs[k], h.normal);
      if (std::fabs(cosine) > 1e-3f) break;
    }
    return cosine < 0 ? h.outer_material : h.inner_material;
  }

  // (v1-v0)x(v2-v1), normalised; slivers whose float cross product vanishes use double.
  CHROMA2_HD static Vec3 unit_normal(Vec3 a, Vec3 b, Vec3 c) {
    const Vec3 n = cross(b - a, c - b);
    const float l2 = dot(n, n);
    if (l2 > 1e-30f && std::isfinite(l2)) return n * (1.0f / std::sqrt(l2));
    const double ex = double(b.x) - a.x, ey = double(b.y) - a.y, ez = double(b.z) - a.z;
    const double fx = double(c.x) - b.x, fy = double(c.y) - b.y, fz = double(c.z) - b.z;
    const double x = ey * fz - ez * fy, y = ez * fx - ex * fz, z = ex * fy - ey * fx;
    const double l = std::sqrt(x * x + y * y + z * z);
    if (!(l > 0)) return {0, 0, 1};
    return {float(x / l), float(y / l), float(z / l)};
  }
};

static_assert(Geometry<TriangleGeometryRef>);

}  // namespace chroma2
