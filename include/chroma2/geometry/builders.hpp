// SPDX-License-Identifier: BSD-3-Clause
// Mesh builders for analytic solids (mm): box, geodesic sphere, cylinder and a solid of revolution
// from a 2-D (r, z) profile (PMT bulbs), each with its tessellation control. Every builder gives a
// closed surface with outward normals and materials set by the per-solid shorthand.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/mesh.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace chroma2 {

struct SolidMaterials {
  std::int32_t inner = 0;
  std::int32_t outer = 0;
  std::int32_t surface = -1;
};

// Axis-aligned box centred on the origin; each face is an n x n grid of quads (2 triangles each).
inline Mesh make_box(Vec3 half_extent, int subdivisions = 1, SolidMaterials m = {}) {
  if (!(half_extent.x > 0 && half_extent.y > 0 && half_extent.z > 0) || subdivisions < 1)
    fail("invalid box", "half extents must be > 0 mm and subdivisions >= 1",
         "pass positive half extents and a subdivision count of at least 1");
  Mesh mesh;
  mesh.name = "box";
  const int n = subdivisions;
  const float h[3] = {half_extent.x, half_extent.y, half_extent.z};
  auto coord = [&](int axis, int i) { return -h[axis] + 2 * h[axis] * float(i) / float(n); };
  // (normal axis, sign, u axis, v axis) with u x v pointing outward
  const int faces[6][4] = {{0, 1, 1, 2},  {0, -1, 2, 1}, {1, 1, 2, 0},
                           {1, -1, 0, 2}, {2, 1, 0, 1},  {2, -1, 1, 0}};
  for (const auto& f : faces) {
    const std::uint32_t base = static_cast<std::uint32_t>(mesh.vertices.size());
    for (int i = 0; i <= n; ++i)
      for (int j = 0; j <= n; ++j) {
        float p[3];
        p[f[0]] = f[1] * h[f[0]];
        p[f[2]] = coord(f[2], i);
        p[f[3]] = coord(f[3], j);
        mesh.add_vertex({p[0], p[1], p[2]});
      }
    auto at = [&](int i, int j) { return base + static_cast<std::uint32_t>(i * (n + 1) + j); };
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        mesh.triangles.push_back({at(i, j), at(i + 1, j), at(i + 1, j + 1)});
        mesh.triangles.push_back({at(i, j), at(i + 1, j + 1), at(i, j + 1)});
      }
  }
  mesh.set_solid(m.inner, m.outer, m.surface);
  return mesh;
}

// Geodesic sphere: an icosahedron whose faces are split in four `subdivisions` times, vertices
// pushed onto the radius. 20 * 4^subdivisions triangles; every vertex lies on the sphere.
inline Mesh make_geodesic_sphere(float radius, int subdivisions = 3, SolidMaterials m = {},
                                 Vec3 centre = {0, 0, 0}) {
  if (!(radius > 0) || subdivisions < 0 || subdivisions > 9)
    fail("invalid geodesic sphere (radius " + std::to_string(radius) + " mm, subdivisions " +
             std::to_string(subdivisions) + ")",
         "the radius must be > 0 and subdivisions in 0..9", "pass a valid radius and level");
  const double g = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<std::array<double, 3>> v = {{-1, g, 0}, {1, g, 0}, {-1, -g, 0}, {1, -g, 0},
                                          {0, -1, g}, {0, 1, g}, {0, -1, -g}, {0, 1, -g},
                                          {g, 0, -1}, {g, 0, 1}, {-g, 0, -1}, {-g, 0, 1}};
  std::vector<TriangleIndices> f = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11},
                                    {1, 5, 9},  {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
                                    {3, 9, 4},  {3, 4, 2},  {3, 2, 6},   {3, 6, 8},  {3, 8, 9},
                                    {4, 9, 5},  {2, 4, 11}, {6, 2, 10},  {8, 6, 7},  {9, 8, 1}};
  auto unit = [](std::array<double, 3> a) {
    const double l = std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    return std::array<double, 3>{a[0] / l, a[1] / l, a[2] / l};
  };
  for (auto& p : v) p = unit(p);
  for (int level = 0; level < subdivisions; ++level) {
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> mid;
    auto midpoint = [&](std::uint32_t a, std::uint32_t b) {
      const auto key = std::minmax(a, b);
      if (auto it = mid.find(key); it != mid.end()) return it->second;
      v.push_back(unit({v[a][0] + v[b][0], v[a][1] + v[b][1], v[a][2] + v[b][2]}));
      const auto id = static_cast<std::uint32_t>(v.size() - 1);
      mid.emplace(key, id);
      return id;
    };
    std::vector<TriangleIndices> next;
    next.reserve(f.size() * 4);
    for (const auto& t : f) {
      const auto ab = midpoint(t[0], t[1]), bc = midpoint(t[1], t[2]), ca = midpoint(t[2], t[0]);
      next.push_back({t[0], ab, ca});
      next.push_back({t[1], bc, ab});
      next.push_back({t[2], ca, bc});
      next.push_back({ab, bc, ca});
    }
    f = std::move(next);
  }
  Mesh mesh;
  mesh.name = "geodesic sphere";
  for (const auto& p : v)
    mesh.add_vertex({float(p[0] * radius) + centre.x, float(p[1] * radius) + centre.y,
                     float(p[2] * radius) + centre.z});
  for (auto t : f) {  // orient outward: the normal must point away from the centre
    const auto &a = v[t[0]], &b = v[t[1]], &c = v[t[2]];
    const double e[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const double d[3] = {c[0] - b[0], c[1] - b[1], c[2] - b[2]};
    const double n[3] = {e[1] * d[2] - e[2] * d[1], e[2] * d[0] - e[0] * d[2],
                         e[0] * d[1] - e[1] * d[0]};
    if (n[0] * a[0] + n[1] * a[1] + n[2] * a[2] < 0) std::swap(t[1], t[2]);
    mesh.triangles.push_back(t);
  }
  mesh.set_solid(m.inner, m.outer, m.surface);
  return mesh;
}

// A point of a revolution profile: radius from the z axis and height, mm.
struct ProfilePoint {
  float r;
  float z;
};

// Solid of revolution about z. The profile runs from the bottom to the top of the outline with
// r >= 0; end points with r == 0 close the solid (poles), others leave it open. `segments` is the
// number of steps around the axis.
inline Mesh make_revolution(const std::vector<ProfilePoint>& profile, int segments,
                            SolidMaterials m = {}) {
  if (profile.size() < 2 || segments < 3)
    fail("invalid solid of revolution (" + std::to_string(profile.size()) + " profile points, " +
             std::to_string(segments) + " segments)",
         "a profile needs at least 2 points and at least 3 segments around the axis",
         "pass a longer profile or more segments");
  for (std::size_t i = 0; i < profile.size(); ++i)
    if (!(profile[i].r >= 0) || !std::isfinite(profile[i].r) || !std::isfinite(profile[i].z))
      fail("profile point " + std::to_string(i) +
               " is invalid (r = " + std::to_string(profile[i].r) + " mm)",
           "radii must be finite and >= 0", "fix the profile");
  Mesh mesh;
  mesh.name = "solid of revolution";
  std::vector<std::uint32_t> ring_start(profile.size());
  for (std::size_t i = 0; i < profile.size(); ++i) {
    ring_start[i] = static_cast<std::uint32_t>(mesh.vertices.size());
    if (profile[i].r == 0) {
      mesh.add_vertex({0, 0, profile[i].z});
      continue;
    }
    for (int j = 0; j < segments; ++j) {
      const double phi = 2 * std::numbers::pi * j / segments;
      mesh.add_vertex(
          {float(profile[i].r * std::cos(phi)), float(profile[i].r * std::sin(phi)), profile[i].z});
    }
  }
  auto at = [&](std::size_t i, int j) {
    return profile[i].r == 0 ? ring_start[i] : ring_start[i] + std::uint32_t(j % segments);
  };
  for (std::size_t i = 0; i + 1 < profile.size(); ++i)
    for (int j = 0; j < segments; ++j) {
      const std::uint32_t a = at(i, j), b = at(i, j + 1), c = at(i + 1, j + 1), d = at(i + 1, j);
      if (a != b) mesh.triangles.push_back({a, b, c});
      if (c != d) mesh.triangles.push_back({a, c, d});
    }
  mesh.set_solid(m.inner, m.outer, m.surface);
  return mesh;
}

// Closed cylinder about z from -half_height to +half_height: `segments` around, `rings` along.
inline Mesh make_cylinder(float radius, float half_height, int segments = 32, int rings = 1,
                          SolidMaterials m = {}) {
  if (!(radius > 0) || !(half_height > 0) || rings < 1)
    fail("invalid cylinder", "radius and half height must be > 0 mm and rings >= 1",
         "pass positive sizes");
  std::vector<ProfilePoint> p{{0, -half_height}};
  for (int i = 0; i <= rings; ++i)
    p.push_back({radius, -half_height + 2 * half_height * float(i) / float(rings)});
  p.push_back({0, half_height});
  Mesh mesh = make_revolution(p, segments, m);
  mesh.name = "cylinder";
  return mesh;
}

}  // namespace chroma2
