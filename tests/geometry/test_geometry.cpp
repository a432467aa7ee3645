// SPDX-License-Identifier: BSD-3-Clause
// The geometry layer on the host backend: builders, the BVH builder, closest hits against the
// double-precision reference (builder solids, a triangle soup, an instanced scene and its
// flattened twin), analytic distances, material at a point, and relaunching from hits.
#include "geometry/scenes.hpp"

#include "chroma2/geometry/bvh_check.hpp"

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <map>
#include <numeric>

using namespace chroma2;
using namespace chroma2::test;

namespace {
constexpr std::size_t host_rays = 10000;

double signed_volume(const Mesh& m) {
  double v = 0;
  for (const auto& t : m.triangles) {
    const D3 a = to_d3(m.vertices[t[0]]), b = to_d3(m.vertices[t[1]]), c = to_d3(m.vertices[t[2]]);
    v += dot3(a, cross3(b, c)) / 6.0;
  }
  return v;
}

// Every edge used exactly twice, in opposite directions: a closed, consistently oriented surface.
bool closed_and_oriented(const Mesh& m) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, int> edges;
  for (const auto& t : m.triangles)
    for (int k = 0; k < 3; ++k) ++edges[{t[k], t[(k + 1) % 3]}];
  for (const auto& [e, n] : edges) {
    auto it = edges.find({e.second, e.first});
    if (n != 1 || it == edges.end() || it->second != 1) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("Builders make closed solids with outward normals and the expected volume",
          "[geometry][builders][host]") {
  const Mesh box = make_box({1, 2, 3}, 3);
  CHECK(box.size() == 6 * 9 * 2);
  CHECK(signed_volume(box) == Catch::Approx(48.0).epsilon(1e-12));
  const Mesh sphere = make_geodesic_sphere(10, 4);
  CHECK(sphere.size() == 20 * 256);
  CHECK(closed_and_oriented(sphere));
  const double ball = 4.0 / 3.0 * 3.14159265358979 * 1000;
  CHECK(signed_volume(sphere) < ball);
  CHECK(signed_volume(sphere) > 0.99 * ball);
  const Mesh cyl = make_cylinder(5, 10, 64, 3);
  CHECK(closed_and_oriented(cyl));
  CHECK(signed_volume(cyl) > 0.99 * 3.14159265358979 * 25 * 20);
  CHECK(signed_volume(cyl) < 3.14159265358979 * 25 * 20);
  const Mesh bulb = make_revolution({{0, -1}, {2, -1}, {3, 0}, {2, 1}, {0, 1}}, 16);
  CHECK(closed_and_oriented(bulb));
  CHECK(signed_volume(bulb) > 0);
  for (const Mesh* m : {&box, &sphere, &cyl, &bulb}) CHECK(m->degenerate_triangles().empty());
  CHECK_THROWS_AS(make_box({1, 0, 1}), Error);
  CHECK_THROWS_AS(make_revolution({{0, 0}}, 8), Error);
}

TEST_CASE("The BVH holds every primitive once inside its parents' boxes and stays shallow",
          "[geometry][bvh][host]") {
  // 20,000 triangles, then 300,000 boxes: enough for the parallel passes of large nodes
  for (const std::size_t count : {std::size_t(20000), std::size_t(300000)})
    for (unsigned threads : {1u, 4u}) {
      const Mesh soup = make_soup(count, 3);
      std::vector<Aabb> boxes(soup.size());
      for (std::size_t t = 0; t < soup.size(); ++t)
        for (auto k : soup.triangles[t]) boxes[t].grow(soup.vertices[k]);
      std::vector<std::uint32_t> ids(soup.size());
      std::iota(ids.begin(), ids.end(), 0u);
      ids.erase(ids.begin() + 5);  // a left-out primitive
      BvhBuildOptions o;
      o.threads = threads;
      const BvhBuildOutput out = build_bvh(boxes, ids, o);
      CHECK(out.depth < detail::bvh_stack_size);
      CHECK(check_bvh(out, boxes, ids).ok());  // the bench's check agrees with the walk below
      std::vector<int> seen(soup.size(), 0);
      std::size_t bad_box = 0;
      // walk from the root, checking each child's box holds its primitives
      std::vector<std::pair<std::uint32_t, Aabb>> todo{{0, {}}};
      while (!todo.empty()) {
        const auto [node, parent] = todo.back();
        todo.pop_back();
        const BvhNode& n = out.nodes[node];
        for (int k = 0; k < 2; ++k) {
          if (n.is_empty(k)) continue;
          const Aabb b = n.child_box(k);
          if (n.count[k] == 0) {
            todo.push_back({n.first[k], b});
            continue;
          }
          for (std::uint32_t i = n.first[k]; i < n.first[k] + n.count[k]; ++i) {
            const Aabb& pb = boxes[out.order[i]];
            ++seen[out.order[i]];
            bad_box += pb.lo.x < b.lo.x || pb.lo.y < b.lo.y || pb.lo.z < b.lo.z ||
                       pb.hi.x > b.hi.x || pb.hi.y > b.hi.y || pb.hi.z > b.hi.z;
          }
        }
      }
      CHECK(bad_box == 0);
      CHECK(seen[5] == 0);
      std::size_t once = 0;
      for (std::size_t i = 0; i < seen.size(); ++i) once += seen[i] == 1;
      CHECK(once == soup.size() - 1);
      CHECK(out.nodes.size() < soup.size());
    }
  // edge cases: nothing, one primitive, all primitives at the same place
  const Mesh soup = make_soup(100, 3);
  std::vector<Aabb> boxes(soup.size());
  for (std::size_t t = 0; t < soup.size(); ++t)
    for (auto k : soup.triangles[t]) boxes[t].grow(soup.vertices[k]);
  CHECK(build_bvh(boxes, std::span<const std::uint32_t>{}).nodes.size() == 1);
  const std::uint32_t one = 7;
  CHECK(build_bvh(boxes, std::span<const std::uint32_t>(&one, 1)).nodes[0].count[0] == 1);
  std::vector<Aabb> same(1000, Aabb{{1, 1, 1}, {2, 2, 2}});
  std::vector<std::uint32_t> all(1000);
  std::iota(all.begin(), all.end(), 0u);
  CHECK(build_bvh(same, all).depth < detail::bvh_stack_size);
}

TEST_CASE("Closest hits on builder solids match the double-precision reference",
          "[geometry][closest_hit][host]") {
  SECTION("box") {
    check_scene<HostBackend>(scene_of(make_box({30, 20, 10}, 4, {1, 2, 3})), host_rays, 1);
  }
  SECTION("geodesic sphere") {
    check_scene<HostBackend>(scene_of(make_geodesic_sphere(50, 4, {1, 2, -1})), host_rays, 2);
  }
  SECTION("cylinder") {
    check_scene<HostBackend>(scene_of(make_cylinder(20, 40, 48, 6, {0, 2, 1})), host_rays, 3);
  }
  SECTION("PMT-like bulb with two shells") {
    check_scene<HostBackend>(scene_of(make_bulb(32)), host_rays, 4);
  }
  SECTION("triangle soup") { check_scene<HostBackend>(scene_of(make_soup(3000, 5)), host_rays, 5); }
}

TEST_CASE("Closest hit distances on a box and a sphere equal the analytic ones",
          "[geometry][closest_hit][host]") {
  const auto box = build_geometry(scene_of(make_box({30, 20, 10}, 2)));
  const auto sphere = build_geometry(scene_of(make_geodesic_sphere(50, 6)));
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<float> u(-0.9f, 0.9f);
  std::size_t bad_box = 0, bad_sphere = 0;
  for (int i = 0; i < 5000; ++i) {
    const Vec3 o{30 * u(rng), 20 * u(rng), 10 * u(rng)};
    const Vec3 d = isotropic(rng);
    double exact = 1e300;
    const double h[3] = {30, 20, 10}, oo[3] = {o.x, o.y, o.z}, dd[3] = {d.x, d.y, d.z};
    for (int a = 0; a < 3; ++a)
      if (dd[a] != 0) exact = std::min(exact, ((dd[a] > 0 ? h[a] : -h[a]) - oo[a]) / dd[a]);
    const Hit hb = box.ref().closest_hit({o, 0, d, 1e30f});
    bad_box += !hb.hit() || std::fabs(hb.distance - exact) > 1e-5 * exact + 1e-5;
    // from the centre of a level-6 geodesic sphere every distance lies in [r cos(a), r]
    const Hit hs = sphere.ref().closest_hit({{0, 0, 0}, 0, d, 1e30f});
    bad_sphere += !hs.hit() || hs.distance > 50 * (1 + 1e-6) || hs.distance < 50 * 0.9998;
    // and the normal there points outward
    bad_sphere += dot(hs.normal, d) < 0.99f;
  }
  CHECK(bad_box == 0);
  CHECK(bad_sphere == 0);
}

TEST_CASE("Rays along axes, along normals, through vertices and in a face's plane give no NaN",
          "[geometry][closest_hit][host]") {
  const auto g = build_geometry(scene_of(make_box({1, 1, 1}, 1)));
  const Vec3 axes[6] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  for (const Vec3 d : axes) {
    const Hit h = g.ref().closest_hit({{0, 0, 0}, 0, d, 1e30f});
    REQUIRE(h.hit());
    CHECK(h.distance == 1.0f);
    CHECK(dot(h.normal, d) == 1.0f);
  }
  // in the plane of the +z face, along its edge and its diagonal
  const Hit e = g.ref().closest_hit({{-5, 1, 1}, 0, {1, 0, 0}, 1e30f});
  CHECK(!std::isnan(e.distance));
  if (e.hit()) CHECK(e.distance == 4.0f);
  const Hit diag = g.ref().closest_hit({{-3, -3, 1}, 0, normalize(Vec3{1, 1, 0}), 1e30f});
  CHECK(!std::isnan(diag.distance));
  // through a corner vertex and along an edge from outside: watertight, so they hit
  const Hit corner = g.ref().closest_hit({{-3, -3, -3}, 0, normalize(Vec3{1, 1, 1}), 1e30f});
  REQUIRE(corner.hit());
  CHECK(corner.distance == Catch::Approx(2 * std::sqrt(3.0f)).epsilon(1e-6));
  const Hit edge = g.ref().closest_hit({{-3, -3, 0.25f}, 0, normalize(Vec3{1, 1, 0}), 1e30f});
  REQUIRE(edge.hit());
  CHECK(edge.distance == Catch::Approx(2 * std::sqrt(2.0f)).epsilon(1e-6));
  // a zero-length segment and an empty scene
  CHECK(!g.ref().closest_hit({{0, 0, 0}, 0, {1, 0, 0}, 0}).hit());
  Scene empty;
  empty.world_material = 5;
  const auto eg = build_geometry(empty);
  CHECK(!eg.ref().closest_hit({{0, 0, 0}, 0, {1, 0, 0}, 1e30f}).hit());
  CHECK(eg.ref().material_at({1, 2, 3}) == 5);
}

TEST_CASE("A geometry keeps its arrays in one arena, which moves with it", "[geometry][arena]") {
  auto g = build_geometry(make_nested_scene());
  const TriangleGeometryRef r = g.ref();
  const std::uintptr_t pointers[] = {
      reinterpret_cast<std::uintptr_t>(r.nodes), reinterpret_cast<std::uintptr_t>(r.triangles),
      reinterpret_cast<std::uintptr_t>(r.materials), reinterpret_cast<std::uintptr_t>(r.meshes),
      reinterpret_cast<std::uintptr_t>(r.instances)};
  // five arrays, one allocation: each starts inside the span of bytes() from the first
  for (std::size_t k = 0; k < 5; ++k) {
    CHECK(pointers[k] != 0);
    CHECK(pointers[k] >= pointers[0]);
    CHECK(pointers[k] < pointers[0] + g.bytes());
    if (k > 0) CHECK(pointers[k] > pointers[k - 1]);  // in the order planned
  }
  const Hit before = r.closest_hit({{0, 0, 0}, 0, {1, 0, 0}, 1e30f});
  const TriangleGeometry<Host> moved(std::move(g));
  CHECK(moved.ref().nodes == r.nodes);
  CHECK(g.ref().nodes == nullptr);  // NOLINT(bugprone-use-after-move): emptied, not dangling
  CHECK(g.bytes() == 0);
  const Hit after = moved.ref().closest_hit({{0, 0, 0}, 0, {1, 0, 0}, 1e30f});
  CHECK(after.distance == before.distance);
}

TEST_CASE("An instanced scene matches the reference and its flattened twin hit for hit",
          "[geometry][instancing][host]") {
  const Scene s = make_instanced_scene(40);
  check_scene<HostBackend>(s, host_rays, 21);
  std::vector<FlatOrigin> origin;
  const Scene flat = s.flattened(&origin);
  check_scene<HostBackend>(flat, host_rays, 21);
  CHECK(flat.meshes[0].size() == s.placed_triangles());
  const auto gi = build_geometry(s), gf = build_geometry(flat);
  const auto tris = reference_triangles(s);
  const auto rays = make_rays(tris, host_rays, 22);
  const auto hi = host_hits(gi.ref(), rays), hf = host_hits(gf.ref(), rays);
  const double tol = scene_tolerance(tris);
  std::size_t same = 0, close = 0, differ = 0;
  // Rays through vertices, along a face or starting on a surface are decided by rounding, which
  // differs between the two (the placed ray versus the placed vertices): both were checked
  // against the reference above. The generic rays must agree hit for hit.
  std::size_t generic = 0;
  for (std::size_t i = 0; i < rays.size(); ++i) {
    if (i % 8 == 2 || i % 8 == 4 || i % 8 == 5 || i % 8 == 7) continue;
    ++generic;
    if (hi[i].hit() != hf[i].hit()) {
      ++differ;
      continue;
    }
    if (!hi[i].hit()) {
      ++same;
      continue;
    }
    const FlatOrigin o = origin[hf[i].primitive];
    const bool dist = std::fabs(hi[i].distance - hf[i].distance) <= tol + 1e-6 * hi[i].distance;
    if (o.instance == hi[i].instance && o.primitive == hi[i].primitive && dist)
      ++same;
    else if (dist)
      ++close;  // a tie between two triangles at the same distance
    else
      ++differ;
  }
  INFO("same " << same << ", ties " << close << ", differ " << differ);
  CHECK(differ <= generic / 1000);  // only where a ray passes through an edge
  CHECK(same >= generic * 99 / 100);
}

TEST_CASE("Material at a point follows nested shells and placements",
          "[geometry][material][host]") {
  const auto g = build_geometry(make_nested_scene());
  const MaterialProbe p = nested_probes(4000, 31);
  std::vector<std::int32_t> got(p.points.size());
  for (std::size_t i = 0; i < p.points.size(); ++i) got[i] = g.ref().material_at(p.points[i]);
  check_materials(g, p.points, p.expected, got);
}

TEST_CASE("Relaunched rays skip the surface just left and find every surface beyond epsilon",
          "[geometry][relaunch][host]") {
  SECTION("nested shells, one placement far from the origin") {
    check_relaunch<HostBackend>(make_nested_scene(), 4000, 41);
  }
  SECTION("instanced bulbs in a tank") {
    check_relaunch<HostBackend>(make_instanced_scene(20), 4000, 42);
  }
  SECTION("triangle soup") { check_relaunch<HostBackend>(scene_of(make_soup(2000, 43)), 4000, 44); }
  // The GPU test's scenes, rays and seeds on the host. 4,000 first rays made too few relaunched
  // rays that go on in the plane of a triangle (from grazing first rays) to meet the checker's
  // old blind spot for them; these 40,000 did, on both backends.
  SECTION("the GPU test's rays: nested shells, 40,000 first rays") {
    check_relaunch<HostBackend>(make_nested_scene(), 40000, 41);
  }
  SECTION("the GPU test's rays: instanced bulbs, 40,000 first rays") {
    check_relaunch<HostBackend>(make_instanced_scene(20), 40000, 42);
  }
}

TEST_CASE("Degenerate triangles are left out of the BVH while slivers stay in",
          "[geometry][degenerate][host]") {
  Mesh m = make_box({1, 1, 1});
  const auto a = m.add_vertex({5, 5, 5}), b = m.add_vertex({6, 5, 5}), c = m.add_vertex({7, 5, 5});
  m.add_triangle(a, b, c);  // collinear: exactly zero area
  m.add_triangle(a, a, b);  // repeated index
  const auto s0 = m.add_vertex({5, 0, 0}), s1 = m.add_vertex({6, 0, 0}),
             s2 = m.add_vertex({5.5f, 1e-6f, 0});
  m.add_triangle(s0, s1, s2);  // a sliver: 5e-7 mm^2, legal
  CHECK(m.degenerate_triangles() == std::vector<std::uint32_t>{12, 13});
  CHECK(m.area(14) < 1e-6);
  const auto g = build_geometry(scene_of(std::move(m)));
  CHECK(g.stats().degenerate_triangles == 2);
  CHECK(g.stats().bvh_triangles == 13);
  const Hit h = g.ref().closest_hit({{5.5f, 5e-7f, -1}, 0, {0, 0, 1}, 1e30f});
  REQUIRE(h.hit());
  CHECK(h.primitive == 14);
  CHECK(h.distance == 1.0f);
  CHECK(!g.ref().closest_hit({{5.5f, 5, -1}, 0, {0, 0, 1}, 1e30f}).hit());
}

TEST_CASE("Rays through the vertices and edges of closed meshes never escape, placed or not",
          "[geometry][watertight][host]") {
  check_watertight<HostBackend>(3, 24);
}
