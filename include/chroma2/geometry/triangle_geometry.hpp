// SPDX-License-Identifier: BSD-3-Clause
// TriangleGeometry<Space>: the owner of a built detector (BVH nodes, packed triangles, materials,
// meshes, placements) in one memory space, all five arrays in one arena (one allocation, sized
// exactly). build_geometry() builds it on the host from a Scene; constructing a
// TriangleGeometry<Device> from the host one uploads it. ref() is what kernels get.
#pragma once

#include "chroma2/config/arena.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/geometry/bvh_build.hpp"
#include "chroma2/geometry/detail/thread_pool.hpp"
#include "chroma2/geometry/scene.hpp"
#include "chroma2/geometry/triangle_geometry_ref.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace chroma2 {

struct GeometryBuildStats {
  double build_seconds = 0;
  std::size_t unique_triangles = 0;      // triangles of all meshes
  std::size_t bvh_triangles = 0;         // those in a BVH (degenerate ones are left out)
  std::size_t degenerate_triangles = 0;  // exactly zero area or a repeated index
  std::size_t placements = 0;
  std::size_t nodes = 0;
  int max_depth = 0;  // deepest mesh tree plus the top-level tree
  unsigned threads = 0;
};

template <class Space>
class TriangleGeometry;

TriangleGeometry<Host> build_geometry(const Scene& scene, const BvhBuildOptions& options = {});

template <class Space>
class TriangleGeometry {
 public:
  TriangleGeometry() = default;
  TriangleGeometry(TriangleGeometry&&) noexcept = default;
  TriangleGeometry& operator=(TriangleGeometry&&) noexcept = default;

  // Copies a geometry from another space (host -> device upload); waits for the copy.
  template <class Other>
  explicit TriangleGeometry(const TriangleGeometry<Other>& src, Stream stream = {})
      : arena_(plan(src.nodes_.size(), src.triangles_.size(), src.materials_.size(),
                    src.meshes_.size(), src.instances_.size()),
               "geometry", stream),
        nodes_(arena_.copy_in(src.nodes_.span(), stream)),
        triangles_(arena_.copy_in(src.triangles_.span(), stream)),
        materials_(arena_.copy_in(src.materials_.span(), stream)),
        meshes_(arena_.copy_in(src.meshes_.span(), stream)),
        instances_(arena_.copy_in(src.instances_.span(), stream)),
        top_root_(src.top_root_),
        instance_count_(src.instance_count_),
        world_material_(src.world_material_),
        stats_(src.stats_) {
    static_assert(std::is_same_v<Other, Host>, "upload from a host-built geometry");
    Space::synchronize(stream);
  }

  TriangleGeometryRef ref() const {
    return {nodes_.data(),     triangles_.data(), materials_.data(), meshes_.data(),
            instances_.data(), top_root_,         instance_count_,   world_material_};
  }
  const GeometryBuildStats& stats() const { return stats_; }
  // Bytes this geometry occupies in its space (its arena).
  std::size_t bytes() const { return arena_.capacity(); }

 private:
  // The arena's pieces, in the order they are taken.
  static ArenaPlan plan(std::size_t nodes, std::size_t triangles, std::size_t materials,
                        std::size_t meshes, std::size_t instances) {
    ArenaPlan p;
    p.add<BvhNode>(nodes).add<PackedTriangle>(triangles).add<TriangleMaterials>(materials);
    p.add<MeshRecord>(meshes).add<InstanceRecord>(instances);
    return p;
  }
  template <class>
  friend class TriangleGeometry;
  friend TriangleGeometry<Host> build_geometry(const Scene&, const BvhBuildOptions&);

  Arena<Space> arena_;
  ArenaPiece<BvhNode> nodes_;
  ArenaPiece<PackedTriangle> triangles_;
  ArenaPiece<TriangleMaterials> materials_;
  ArenaPiece<MeshRecord> meshes_;
  ArenaPiece<InstanceRecord> instances_;
  std::uint32_t top_root_ = 0;
  std::uint32_t instance_count_ = 0;
  std::int32_t world_material_ = 0;
  GeometryBuildStats stats_{};
};

namespace detail {

// Items per chunk at least in build_geometry()'s parallel passes.
inline constexpr std::size_t build_grain = 4096;

// Copies v into a piece of a host arena on the pool's threads (the copy also first-touches the
// pages).
template <class T>
ArenaPiece<T> to_piece(Arena<Host>& arena, const std::vector<T>& v, ThreadPool& pool) {
  ArenaPiece<T> b = arena.piece<T>(v.size());
  pool.parallel_chunks(v.size(), build_grain, [&](std::size_t begin, std::size_t end) {
    if (end > begin)
      std::memcpy(static_cast<void*>(b.data() + begin), v.data() + begin,
                  (end - begin) * sizeof(T));
  });
  return b;
}

// Moves one tree's node references by the offsets its nodes and primitives now start at.
inline void append_tree(std::vector<BvhNode>& all, const std::vector<BvhNode>& tree,
                        std::uint32_t primitive_offset) {
  const auto node_offset = static_cast<std::uint32_t>(all.size());
  all.reserve(all.size() + tree.size());
  for (BvhNode n : tree) {
    for (int k = 0; k < BvhNode::width; ++k) {
      if (n.is_empty(k)) continue;
      n.first[k] += n.count[k] != 0 ? primitive_offset : node_offset;
    }
    all.push_back(n);
  }
}

}  // namespace detail

inline TriangleGeometry<Host> build_geometry(const Scene& scene, const BvhBuildOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  detail::ThreadPool pool(threads);  // the per-triangle passes; build_bvh() starts its own
  GeometryBuildStats stats;
  stats.threads = threads;
  stats.placements = scene.placements.size();
  std::vector<BvhNode> nodes;
  std::vector<PackedTriangle> packed;
  std::vector<TriangleMaterials> materials;
  std::vector<MeshRecord> meshes;
  std::vector<Aabb> mesh_bounds;
  for (std::size_t mi = 0; mi < scene.meshes.size(); ++mi) {
    const Mesh& m = scene.meshes[mi];
    m.validate(m.name.empty() ? "mesh " + std::to_string(mi) : m.name);
    if (m.size() >= 0x7fffffffu)
      fail("mesh " + std::to_string(mi) + " has " + std::to_string(m.size()) + " triangles",
           "primitive indices are 32-bit", "split the mesh");
    std::vector<Aabb> boxes(m.size());
    std::vector<std::uint8_t> bad(m.size());
    pool.parallel_chunks(m.size(), detail::build_grain, [&](std::size_t b, std::size_t e) {
      for (std::size_t t = b; t < e; ++t) {
        bad[t] = m.is_degenerate(t);
        for (auto k : m.triangles[t]) boxes[t].grow(m.vertices[k]);
      }
    });
    std::vector<std::uint32_t> ids;
    ids.reserve(m.size());
    Aabb bounds;
    for (std::uint32_t t = 0; t < m.size(); ++t)
      if (!bad[t]) ids.push_back(t), bounds.grow(boxes[t]);
    stats.unique_triangles += m.size();
    stats.degenerate_triangles += m.size() - ids.size();
    stats.bvh_triangles += ids.size();
    BvhBuildOptions o = options;
    o.threads = threads;
    BvhBuildOutput tree = build_bvh(boxes, ids, o);
    stats.max_depth = std::max(stats.max_depth, tree.depth);
    const auto root = static_cast<std::uint32_t>(nodes.size());
    const auto tri_offset = static_cast<std::uint32_t>(packed.size());
    detail::append_tree(nodes, tree.nodes, tri_offset);
    packed.resize(packed.size() + tree.order.size());
    pool.parallel_chunks(tree.order.size(), detail::build_grain, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        const std::uint32_t t = tree.order[i];
        const auto& tri = m.triangles[t];
        packed[tri_offset + i] = {m.vertices[tri[0]], t, m.vertices[tri[1]], 0,
                                  m.vertices[tri[2]], 0};
      }
    });
    meshes.push_back({root, static_cast<std::uint32_t>(materials.size()),
                      static_cast<std::uint32_t>(m.size()),
                      static_cast<std::uint32_t>(ids.size())});
    const std::size_t material_base = materials.size();
    materials.resize(material_base + m.size());
    pool.parallel_chunks(m.size(), detail::build_grain, [&](std::size_t b, std::size_t e) {
      for (std::size_t t = b; t < e; ++t) materials[material_base + t] = m.materials_of(t);
    });
    mesh_bounds.push_back(bounds);
  }

  // Top level: each placement's box is that of its mesh's vertices moved into the world.
  std::vector<Aabb> boxes(scene.placements.size());
  pool.parallel_chunks(boxes.size(), detail::build_grain, [&](std::size_t b, std::size_t e) {
    for (std::size_t p = b; p < e; ++p) {
      const Placement& pl = scene.placements[p];
      if (mesh_bounds[pl.mesh].empty()) continue;
      for (const Vec3 v : scene.meshes[pl.mesh].vertices) boxes[p].grow(pl.transform.apply(v));
    }
  });
  std::vector<std::uint32_t> ids;
  for (std::uint32_t p = 0; p < boxes.size(); ++p)
    if (!boxes[p].empty()) ids.push_back(p);
  BvhBuildOptions top = options;
  top.threads = threads;
  top.max_leaf_size = 1;
  BvhBuildOutput tree = build_bvh(boxes, ids, top);
  const auto top_root = static_cast<std::uint32_t>(nodes.size());
  detail::append_tree(nodes, tree.nodes, 0);
  std::vector<InstanceRecord> instances;
  instances.reserve(tree.order.size());
  for (std::uint32_t p : tree.order) {
    const Placement& pl = scene.placements[p];
    instances.push_back({pl.transform, pl.mesh, pl.channel, p, 0});
  }
  stats.max_depth += tree.depth;
  stats.nodes = nodes.size();
  if (nodes.size() >= detail::max_bvh_nodes || instances.size() >= detail::max_placements)
    fail("the detector has " + std::to_string(nodes.size()) + " BVH nodes and " +
             std::to_string(instances.size()) + " placements",
         "the traversal addresses fewer than 2^29 nodes and 2^24 placements",
         "split the detector or instance repeated parts");

  TriangleGeometry<Host> g;
  g.arena_ = Arena<Host>(TriangleGeometry<Host>::plan(nodes.size(), packed.size(), materials.size(),
                                                      meshes.size(), instances.size()),
                         "geometry");
  g.nodes_ = detail::to_piece(g.arena_, nodes, pool);
  g.triangles_ = detail::to_piece(g.arena_, packed, pool);
  g.materials_ = detail::to_piece(g.arena_, materials, pool);
  g.meshes_ = detail::to_piece(g.arena_, meshes, pool);
  g.instances_ = detail::to_piece(g.arena_, instances, pool);
  g.top_root_ = top_root;
  g.instance_count_ = static_cast<std::uint32_t>(instances.size());
  g.world_material_ = scene.world_material;
  stats.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  g.stats_ = stats;
  return g;
}

}  // namespace chroma2
