// SPDX-License-Identifier: BSD-3-Clause
// Scenes shared by the host and GPU geometry tests, with the answers that are known exactly.
#pragma once

#include "geometry/bodies.hpp"

namespace chroma2::test {

// A triangle soup: random triangles (some long and thin, some tiny) in a 100 mm cube.
inline Mesh make_soup(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-50.0f, 50.0f), s(0.01f, 20.0f);
  Mesh m;
  m.name = "soup";
  for (std::size_t i = 0; i < n; ++i) {
    const Vec3 c{u(rng), u(rng), u(rng)};
    const float size = s(rng);
    const auto a = m.add_vertex(c + size * isotropic(rng));
    const auto b = m.add_vertex(c + size * isotropic(rng));
    const auto d = m.add_vertex(c + size * isotropic(rng));
    m.add_triangle(a, b, d, {int(i % 3), int((i + 1) % 3), int(i % 5) - 1});
  }
  return m;
}

// Nested shells: water world, a glass sphere (r 100) under a coating 0.02 mm outside it, holding a
// vacuum sphere (r 95) that holds a small photocathode box; placed twice, the second far from the
// origin (where relaunch_epsilon exceeds the coating's gap).
inline Scene make_nested_scene() {
  Scene s;
  s.world_material = 2;
  Mesh shells = make_geodesic_sphere(100, 3, {0, 2, -1});
  Mesh inner = make_geodesic_sphere(95, 3, {1, 0, -1});
  Mesh core = make_box({10, 10, 10}, 1, {3, 1, 3});
  // a coating 0.02 mm outside the glass, its facets parallel to the glass's: nearly coplanar
  Mesh coat = make_geodesic_sphere(100.02f, 3, {2, 2, 1});
  for (Mesh* part : {&inner, &core, &coat}) {
    const auto base = static_cast<std::uint32_t>(shells.vertices.size());
    for (Vec3 v : part->vertices) shells.vertices.push_back(v);
    for (std::size_t t = 0; t < part->size(); ++t) {
      const auto& tri = part->triangles[t];
      shells.add_triangle(tri[0] + base, tri[1] + base, tri[2] + base, part->materials[t]);
    }
  }
  const auto id = s.add_mesh(std::move(shells));
  s.add_placement(id);
  s.add_placement(id, rotation_about(normalize(Vec3{1, 2, 3}), 0.7f, {8000, -5000, 3000}), 7);
  return s;
}

struct MaterialProbe {
  std::vector<Vec3> points;
  std::vector<std::int32_t> expected;
};

inline MaterialProbe nested_probes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const RigidTransform second = rotation_about(normalize(Vec3{1, 2, 3}), 0.7f, {8000, -5000, 3000});
  MaterialProbe p;
  for (std::size_t i = 0; i < n; ++i) {
    const int zone = static_cast<int>(i % 4);
    Vec3 local;
    std::int32_t mat;
    if (zone == 0) {  // inside the core box
      local = Vec3{u(rng) * 18 - 9, u(rng) * 18 - 9, u(rng) * 18 - 9}, mat = 3;
    } else {
      // radii clear of the tessellation (inscribed radius of level 3 is > 0.99 r)
      const float r =
          zone == 1 ? 20 + 70 * u(rng) : (zone == 2 ? 95.5f + 3 * u(rng) : 101 + 300 * u(rng));
      local = r * isotropic(rng);
      mat = zone == 1 ? 1 : (zone == 2 ? 0 : 2);
    }
    p.points.push_back(i % 8 < 4 ? local : second.apply(local));
    p.expected.push_back(mat);
  }
  return p;
}

}  // namespace chroma2::test

namespace chroma2::test {

// Rays from inside a closed mesh aimed exactly at its vertices and along its edges' points: a
// watertight test never lets one escape. Returns the rays (origin inside, direction to the
// feature) for placement `p` of the scene.
inline std::vector<Ray> rays_at_features(const Scene& s, std::uint32_t p, Vec3 inside_local) {
  const Placement& pl = s.placements[p];
  const Mesh& m = s.meshes[pl.mesh];
  std::vector<Ray> rays;
  const Vec3 o = pl.transform.apply(inside_local);
  auto aim = [&](Vec3 local) {
    const Vec3 target = pl.transform.apply(local);
    rays.push_back({o, 0.0f, normalize(target - o), std::numeric_limits<float>::infinity()});
  };
  for (const Vec3 v : m.vertices) aim(v);
  for (const auto& t : m.triangles)
    for (int k = 0; k < 3; ++k) {
      const Vec3 a = m.vertices[t[k]], b = m.vertices[t[(k + 1) % 3]];
      aim(0.5f * (a + b));
      aim(a + 0.25f * (b - a));
    }
  return rays;
}

}  // namespace chroma2::test

namespace chroma2::test {

// Closed meshes, placed at the origin, far away and rotated: no feature ray escapes (backend B).
template <class B>
void check_watertight(int sphere_level, int segments) {
  Scene s;
  const auto sphere = s.add_mesh(make_geodesic_sphere(50, sphere_level));
  const auto cyl = s.add_mesh(make_cylinder(20, 40, segments, segments / 8));
  s.add_placement(sphere);
  s.add_placement(sphere, rotation_about(normalize(Vec3{3, -1, 2}), 1.1f, {9000, 4000, -7000}));
  s.add_placement(cyl, rotation_about(normalize(Vec3{0, 1, 1}), 0.3f, {-300, 0, 0}));
  const auto g = build_geometry(s);
  for (std::uint32_t p = 0; p < 3; ++p) {
    const auto rays = rays_at_features(s, p, {0.3f, -0.2f, 0.1f});
    std::size_t escaped = 0;
    for (const Hit& h : B::hits(g, rays)) escaped += !h.hit();
    INFO("placement " << p << ", " << rays.size() << " rays");
    CHECK(escaped == 0);
  }
}

}  // namespace chroma2::test
