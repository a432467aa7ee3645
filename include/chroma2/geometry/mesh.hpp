// SPDX-License-Identifier: BSD-3-Clause
// Mesh: a triangle mesh with per-triangle inner material, outer material and surface. The normal
// (v1-v0)x(v2-v1) marks the outside. Per-triangle values let one mesh hold several shells at once
// (a PMT's glass, vacuum and light cone); set_solid() is the shorthand for a plain solid.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/core/vec.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace chroma2 {

using TriangleIndices = std::array<std::uint32_t, 3>;

// Material and surface of one triangle; inner is opposite the normal, outer on its side.
struct TriangleMaterials {
  std::int32_t inner;
  std::int32_t outer;
  std::int32_t surface;  // -1: plain dielectric boundary
};

class Mesh {
 public:
  Mesh() = default;
  Mesh(Mesh&&) noexcept = default;
  Mesh& operator=(Mesh&&) noexcept = default;
  Mesh(const Mesh&) = delete;  // meshes can be large: copies are explicit (clone)
  Mesh& operator=(const Mesh&) = delete;
  Mesh clone() const {
    Mesh m;
    m.vertices = vertices;
    m.triangles = triangles;
    m.materials = materials;
    m.name = name;
    return m;
  }

  std::vector<Vec3> vertices;                // mm, in the mesh's own frame
  std::vector<TriangleIndices> triangles;    // indices into vertices
  std::vector<TriangleMaterials> materials;  // one per triangle (empty: every value is 0, 0, -1)
  std::string name;

  std::uint32_t add_vertex(Vec3 v) {
    vertices.push_back(v);
    return static_cast<std::uint32_t>(vertices.size() - 1);
  }
  void add_triangle(std::uint32_t a, std::uint32_t b, std::uint32_t c,
                    TriangleMaterials m = {0, 0, -1}) {
    triangles.push_back({a, b, c});
    materials.resize(triangles.size() - 1, TriangleMaterials{0, 0, -1});
    materials.push_back(m);
  }
  // Per-solid shorthand: every triangle gets the same inner/outer material and surface.
  Mesh& set_solid(std::int32_t inner, std::int32_t outer, std::int32_t surface = -1) {
    materials.assign(triangles.size(), TriangleMaterials{inner, outer, surface});
    return *this;
  }
  std::size_t size() const { return triangles.size(); }

  TriangleMaterials materials_of(std::size_t i) const {
    return i < materials.size() ? materials[i] : TriangleMaterials{0, 0, -1};
  }

  // Exactly zero area (cross product zero in double precision) or a repeated vertex index.
  bool is_degenerate(std::size_t i) const {
    const auto& t = triangles[i];
    if (t[0] == t[1] || t[1] == t[2] || t[0] == t[2]) return true;
    const Vec3 a = vertices[t[0]], b = vertices[t[1]], c = vertices[t[2]];
    const double ex = double(b.x) - a.x, ey = double(b.y) - a.y, ez = double(b.z) - a.z;
    const double fx = double(c.x) - a.x, fy = double(c.y) - a.y, fz = double(c.z) - a.z;
    return ey * fz - ez * fy == 0 && ez * fx - ex * fz == 0 && ex * fy - ey * fx == 0;
  }
  std::vector<std::uint32_t> degenerate_triangles() const {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < triangles.size(); ++i)
      if (is_degenerate(i)) out.push_back(static_cast<std::uint32_t>(i));
    return out;
  }
  double area(std::size_t i) const {
    const auto& t = triangles[i];
    const Vec3 a = vertices[t[0]], b = vertices[t[1]], c = vertices[t[2]];
    const double ex = double(b.x) - a.x, ey = double(b.y) - a.y, ez = double(b.z) - a.z;
    const double fx = double(c.x) - a.x, fy = double(c.y) - a.y, fz = double(c.z) - a.z;
    const double x = ey * fz - ez * fy, y = ez * fx - ex * fz, z = ex * fy - ey * fx;
    return 0.5 * std::sqrt(x * x + y * y + z * z);
  }

  // Index ranges, finite coordinates and the materials array length; throws naming the offender.
  void validate(const std::string& what = "mesh") const {
    for (std::size_t i = 0; i < vertices.size(); ++i) {
      const Vec3 v = vertices[i];
      if (!std::isfinite(v.x) || !std::isfinite(v.y) || !std::isfinite(v.z))
        fail(what + ": vertex " + std::to_string(i) + " has a non-finite coordinate",
             "every coordinate must be a finite number of mm", "fix or remove that vertex");
    }
    for (std::size_t i = 0; i < triangles.size(); ++i)
      for (auto k : triangles[i])
        if (k >= vertices.size())
          fail(what + ": triangle " + std::to_string(i) + " uses vertex " + std::to_string(k),
               "the mesh has only " + std::to_string(vertices.size()) + " vertices",
               "fix the triangle's indices");
    if (!materials.empty() && materials.size() != triangles.size())
      fail(what + ": " + std::to_string(materials.size()) + " material entries for " +
               std::to_string(triangles.size()) + " triangles",
           "there must be one per triangle", "call set_solid() or give one entry per triangle");
  }
};

}  // namespace chroma2
