// SPDX-License-Identifier: BSD-3-Clause
// Shared by the host and GPU geometry tests: the ray sets (inside, outside, on surfaces,
// axis-aligned, along normals, grazing, short), the scenes, and the checks that compare a
// geometry's hits with the double-precision reference. One set of assertions for both backends.
#pragma once

#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/relaunch.hpp"
#include "chroma2/geometry/scene.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "geometry/reference.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace chroma2::test {

inline Vec3 isotropic(std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  while (true) {
    const Vec3 v{u(rng), u(rng), u(rng)};
    const float l = norm(v);
    if (l > 0.05f && l <= 1.0f) return v / l;
  }
}

inline Aabb scene_bounds(const std::vector<RefTriangle>& tris) {
  Aabb b;
  for (const auto& t : tris)
    for (D3 v : {t.v0, t.v1, t.v2}) b.grow(Vec3{float(v.x), float(v.y), float(v.z)});
  return b;
}

// Kinds 5 (in a triangle's plane) and 7 (through a vertex) of make_rays touch surfaces.
inline bool is_touching_kind(std::size_t i) { return i % 8 == 5 || i % 8 == 7; }

// A deterministic mix of the ray kinds the geometry must get right.
inline std::vector<Ray> make_rays(const std::vector<RefTriangle>& tris, std::size_t n,
                                  std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Aabb b = scene_bounds(tris);
  const Vec3 c = b.centre(), ext = b.hi - b.lo;
  const float radius = 0.5f * norm(ext);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  std::uniform_int_distribution<std::size_t> pick(0, tris.size() - 1);
  const float inf = std::numeric_limits<float>::infinity();
  auto inside = [&] {
    return Vec3{b.lo.x + ext.x * (0.05f + 0.9f * u01(rng)),
                b.lo.y + ext.y * (0.05f + 0.9f * u01(rng)),
                b.lo.z + ext.z * (0.05f + 0.9f * u01(rng))};
  };
  auto on_triangle = [&](const RefTriangle& t, D3& n) {
    double a = u01(rng), bb = u01(rng);
    if (a + bb > 1) a = 1 - a, bb = 1 - bb;
    n = cross3(sub(t.v1, t.v0), sub(t.v2, t.v1));
    const double l = std::sqrt(dot3(n, n));
    n = {n.x / l, n.y / l, n.z / l};
    return D3{t.v0.x + a * (t.v1.x - t.v0.x) + bb * (t.v2.x - t.v0.x),
              t.v0.y + a * (t.v1.y - t.v0.y) + bb * (t.v2.y - t.v0.y),
              t.v0.z + a * (t.v1.z - t.v0.z) + bb * (t.v2.z - t.v0.z)};
  };
  auto f3 = [](D3 v) { return Vec3{float(v.x), float(v.y), float(v.z)}; };
  std::vector<Ray> rays;
  rays.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Ray r{inside(), 0.0f, isotropic(rng), inf};
    switch (i % 8) {
      case 0:
        break;
      case 1: {  // from outside, aimed into the detector
        const Vec3 o = c + (1.5f * radius + 1.0f) * isotropic(rng);
        r = {o, 0.0f, normalize(inside() - o), inf};
        break;
      }
      case 2: {  // starting on a surface
        D3 nn;
        r.origin = f3(on_triangle(tris[pick(rng)], nn));
        break;
      }
      case 3: {  // axis-aligned
        const int axis = static_cast<int>(rng() % 3);
        const float s = (rng() & 1) ? 1.0f : -1.0f;
        r.direction = {axis == 0 ? s : 0.0f, axis == 1 ? s : 0.0f, axis == 2 ? s : 0.0f};
        break;
      }
      case 4: {  // exactly along a triangle's normal, through a point of it
        D3 nn;
        const D3 p = on_triangle(tris[pick(rng)], nn);
        const double back = 0.1 * radius * u01(rng) + 1e-3;
        r.origin = f3({p.x + back * nn.x, p.y + back * nn.y, p.z + back * nn.z});
        r.direction = normalize(f3({-nn.x, -nn.y, -nn.z}));
        break;
      }
      case 5: {  // grazing: in a triangle's plane, towards a point of it
        const RefTriangle& t = tris[pick(rng)];
        D3 nn;
        const D3 p = on_triangle(t, nn);
        const D3 e = sub(t.v1, t.v0);
        const double l = std::sqrt(dot3(e, e));
        const double back = 0.05 * radius;
        r.origin = f3({p.x - back * e.x / l, p.y - back * e.y / l, p.z - back * e.z / l});
        r.direction = normalize(f3({e.x, e.y, e.z}));
        break;
      }
      case 6:  // a short segment
        r.tmax = radius * u01(rng) * 0.5f;
        break;
      case 7: {  // along a vertex-to-vertex diagonal through a shared vertex
        const RefTriangle& t = tris[pick(rng)];
        const Vec3 v = f3(t.v0);
        r.origin = v + 0.3f * radius * isotropic(rng);
        r.direction = normalize(v - r.origin);
        break;
      }
    }
    rays.push_back(r);
  }
  return rays;
}

// Runs f(i) for i in [0, n) on the hardware threads (computations only; asserts stay on main).
template <class F>
void parallel_for(std::size_t n, F f) {
  const unsigned k = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < k; ++t)
    pool.emplace_back([=, &f] {
      for (std::size_t i = t; i < n; i += k) f(i);
    });
  for (auto& th : pool) th.join();
}

// The reference answers for a ray set (on the host; the GPU tests compute them on the device).
inline std::vector<RefHit> reference_hits(const std::vector<RefTriangle>& tris,
                                          const std::vector<Ray>& rays, double shift) {
  std::vector<RefHit> out(rays.size());
  parallel_for(rays.size(), [&](std::size_t i) {
    out[i] = ref_closest(tris.data(), tris.size(), rays[i], shift);
  });
  return out;
}

// Distance tolerance for a scene: a few float ulps of its size (and of the distance itself).
inline double scene_tolerance(const std::vector<RefTriangle>& tris) {
  const Aabb b = scene_bounds(tris);
  const float m = std::max({std::fabs(b.lo.x), std::fabs(b.lo.y), std::fabs(b.lo.z),
                            std::fabs(b.hi.x), std::fabs(b.hi.y), std::fabs(b.hi.z), 1.0f});
  return 4e-6 * m;
}

struct HitTally {
  std::size_t rays = 0, hits = 0, exact = 0, ties = 0, edges = 0;
  std::vector<std::string> failures;
};

// Compares one hit with the reference. Accepted: the same triangle at the same distance; another
// triangle at the same distance (a tie, within 1e-6 relative); near an edge or the ray's ends,
// where float and double may disagree on which side a ray passes (counted, and kept rare).
class HitChecker {
 public:
  HitChecker(const Scene& scene, const std::vector<RefTriangle>& tris)
      : scene_(scene), tris_(tris), tol_(scene_tolerance(tris)) {
    for (std::uint32_t i = 0; i < tris.size(); ++i)
      index_[key(tris[i].instance, tris[i].primitive)] = i;
  }
  double tolerance() const { return tol_; }
  double shift() const { return 2 * tol_; }

  // A ray in a triangle's plane or through a vertex on a silhouette touches the surface: a hit
  // and a miss are both right. Checked: no NaN, and a reported hit lies on its triangle.
  void check_touching(const Ray& ray, const Hit& h, HitTally& tally) const {
    ++tally.rays;
    if (std::isnan(h.distance) || std::isnan(h.u) || std::isnan(h.v))
      return fail(tally, ray, h, "NaN in a touching ray's hit");
    if (!h.hit()) return ++tally.exact, void();
    ++tally.hits;
    auto it = index_.find(key(h.instance, h.primitive));
    if (it == index_.end()) return fail(tally, ray, h, "hit a triangle that is not in the scene");
    const RefTriangle& t = tris_[it->second];
    const D3 p{ray.origin.x + double(h.distance) * ray.direction.x,
               ray.origin.y + double(h.distance) * ray.direction.y,
               ray.origin.z + double(h.distance) * ray.direction.z};
    D3 n = cross3(sub(t.v1, t.v0), sub(t.v2, t.v1));
    const double off = std::fabs(dot3(sub(p, t.v0), n)) / std::sqrt(dot3(n, n));
    if (off > 4 * tol_) return fail(tally, ray, h, "touching hit off its triangle's plane");
    ++tally.exact;
  }

  void check(const Ray& ray, const Hit& h, const RefHit& ref, HitTally& tally) const {
    ++tally.rays;
    if (!std::isfinite(h.distance) && h.hit()) return fail(tally, ray, h, "non-finite distance");
    if (h.hit()) {
      ++tally.hits;
      if (std::isnan(h.u) || std::isnan(h.v) || std::isnan(h.normal.x) || std::isnan(h.normal.y) ||
          std::isnan(h.normal.z))
        return fail(tally, ray, h, "NaN in the hit");
      auto it = index_.find(key(h.instance, h.primitive));
      if (it == index_.end()) return fail(tally, ray, h, "hit a triangle that is not in the scene");
      const RefTriangle& t = tris_[it->second];
      const Placement& pl = scene_.placements[h.instance];
      const TriangleMaterials m = scene_.meshes[pl.mesh].materials_of(h.primitive);
      if (m.inner != h.inner_material || m.outer != h.outer_material || m.surface != h.surface ||
          pl.channel != h.channel)
        return fail(tally, ray, h, "wrong material, surface or channel");
      D3 n = cross3(sub(t.v1, t.v0), sub(t.v2, t.v1));
      const double nl = std::sqrt(dot3(n, n));
      if (std::fabs(dot3(n, to_d3(h.normal)) / nl - 1) > 1e-3)
        return fail(tally, ray, h, "normal differs from the reference");
    }
    // distance errors grow as 1/|cos| of the angle between the ray and the surface
    double cosine = 1;
    if (ref.index[0] != invalid_index) {
      const RefTriangle& rt = tris_[ref.index[0]];
      const D3 n = cross3(sub(rt.v1, rt.v0), sub(rt.v2, rt.v1));
      cosine = std::fabs(dot3(n, to_d3(ray.direction))) / std::sqrt(dot3(n, n));
    }
    const double tol = (tol_ + 1e-6 * (h.hit() ? h.distance : 0)) / std::max(cosine, 1e-3);
    for (int k = 0; k < 2; ++k) {  // accept the answer for tmin or for tmin + shift
      const bool ref_hit = ref.index[k] != invalid_index;
      if (!ref_hit && !h.hit()) return ++tally.exact, void();
      if (ref_hit && h.hit()) {
        const RefTriangle& rt = tris_[ref.index[k]];
        if (rt.instance == h.instance && rt.primitive == h.primitive &&
            std::fabs(ref.t[k] - h.distance) <= tol)
          return ++tally.exact, void();
      }
    }
    // ties: the reported triangle lies at the reference distance too
    if (h.hit()) {
      const RefTriangle& t = tris_[index_.at(key(h.instance, h.primitive))];
      double tt, b;
      const bool on = ref_intersect(t, to_d3(ray.origin), to_d3(ray.direction), tt, b);
      if (on && b >= -1e-4 && std::fabs(tt - h.distance) <= tol) {  // it really is there
        for (int k = 0; k < 2; ++k) {
          const double best = ref.index[k] == invalid_index ? double(ray.tmax) : ref.t[k];
          if (std::fabs(tt - best) <= 1e-6 * best + tol)
            return (b >= 0 && ref.index[k] != invalid_index) ? ++tally.ties : ++tally.edges, void();
        }
        const double best = ref.index[0] == invalid_index ? double(ray.tmax) : ref.t[0];
        if ((b < 1e-4 && h.distance <= best + tol) || std::fabs(tt - ray.tmin) <= tol ||
            std::fabs(tt - ray.tmax) <= tol)
          return ++tally.edges, void();
      }
      // a touching hit (see touches()) no farther than the reference's first hit
      const double best = ref.index[0] == invalid_index ? double(ray.tmax) : ref.t[0];
      if (touching_hit(ray, h, t) && h.distance <= best + tol) return ++tally.edges, void();
    }
    // the reference's triangle is met at its edge (or the ray's ends), where rounding decides:
    // a miss, or a farther triangle that really lies on the ray, is then acceptable
    if (ref.index[0] != invalid_index) {
      const RefTriangle& rt = tris_[ref.index[0]];
      double tt = 0, b = 0;
      ref_intersect(rt, to_d3(ray.origin), to_d3(ray.direction), tt, b);
      bool valid = !h.hit();
      if (h.hit()) {
        const RefTriangle& ht = tris_[index_.at(key(h.instance, h.primitive))];
        double th = 0, bh = 0;
        valid = (ref_intersect(ht, to_d3(ray.origin), to_d3(ray.direction), th, bh) &&
                 bh >= -1e-4 && std::fabs(th - h.distance) <= tol) ||
                touching_hit(ray, h, ht);
      }
      if (valid && (b < 1e-4 || touches(ray, rt) || std::fabs(tt - ray.tmax) <= tol ||
                    std::fabs(tt - ray.tmin) <= tol))
        return ++tally.edges, void();
    }
    if (h.hit() && h.distance <= 10 * tol_ + ray.tmin)  // a start on or next to a surface
      return ++tally.edges, void();
    fail(tally, ray, h,
         "reference " + (ref.index[0] == invalid_index
                             ? std::string("misses")
                             : "hits (" + std::to_string(tris_[ref.index[0]].instance) + ", " +
                                   std::to_string(tris_[ref.index[0]].primitive) + ") at " +
                                   std::to_string(ref.t[0])));
  }

  // Floats with 9 significant digits: enough to rebuild the failing ray bit for bit.
  static std::string g9(float x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.9g", double(x));
    return b;
  }
  static std::string describe(const Ray& r) {
    return "o=(" + g9(r.origin.x) + ", " + g9(r.origin.y) + ", " + g9(r.origin.z) + ") d=(" +
           g9(r.direction.x) + ", " + g9(r.direction.y) + ", " + g9(r.direction.z) +
           ") tmin=" + g9(r.tmin) + " tmax=" + g9(r.tmax);
  }
 private:
  // A ray touches a triangle when it passes within the scene tolerance of one of its edges. The
  // float vertices, the placement's transform and the ray's own origin and direction are rounded
  // by about that much, so there hit and miss are both right, and so is any hit point that lies
  // on the triangle: for a ray in a triangle's plane (within rounding; e.g. a relaunched ray that
  // goes on in the plane of a grazing first ray, or a coplanar neighbour of the triangle it left)
  // the crossing distance is ill-conditioned (its error is tol / |cos|, unbounded as cos -> 0),
  // so the reference's crossing point and barycentrics say nothing about where the ray meets it.
  bool touches(const Ray& r, const RefTriangle& t) const {
    return ray_passes_near_edge(r, t, tol_);
  }
  bool touching_hit(const Ray& r, const Hit& h, const RefTriangle& t) const {
    const D3 p = along(to_d3(r.origin), to_d3(r.direction), h.distance);
    return point_triangle_distance(p, t) <= tol_ && touches(r, t);
  }
  static std::uint64_t key(std::uint32_t i, std::uint32_t p) {
    return (std::uint64_t(i) << 32) | p;
  }
  void fail(HitTally& tally, const Ray& r, const Hit& h, const std::string& why) const {
    if (tally.failures.size() < 5)
      tally.failures.push_back(
          why + "; ray " + describe(r) + "; got " +
          (h.hit() ? "(" + std::to_string(h.instance) + ", " + std::to_string(h.primitive) +
                         ") at " + g9(h.distance)
                   : std::string("a miss")));
    else
      tally.failures.push_back("");
  }
  const Scene& scene_;
  const std::vector<RefTriangle>& tris_;
  double tol_;
  std::unordered_map<std::uint64_t, std::uint32_t> index_;
};

// The assertions every closest-hit test makes, on either backend's hits.
inline void check_hits(const Scene& scene, const std::vector<RefTriangle>& tris,
                       const std::vector<Ray>& rays, const std::vector<Hit>& hits,
                       const std::vector<RefHit>& refs, double max_edge_fraction = 0.02,
                       bool touching_by_index = true) {
  REQUIRE(hits.size() == rays.size());
  REQUIRE(refs.size() == rays.size());
  HitChecker checker(scene, tris);
  HitTally tally;
  for (std::size_t i = 0; i < rays.size(); ++i)
    if (touching_by_index && is_touching_kind(i))
      checker.check_touching(rays[i], hits[i], tally);
    else
      checker.check(rays[i], hits[i], refs[i], tally);
  INFO("rays " << tally.rays << ", hits " << tally.hits << ", exact " << tally.exact << ", ties "
               << tally.ties << ", edge cases " << tally.edges);
  for (std::size_t i = 0; i < std::min<std::size_t>(5, tally.failures.size()); ++i)
    UNSCOPED_INFO(tally.failures[i]);
  CHECK(tally.failures.size() == 0);
  CHECK(tally.edges <= max_edge_fraction * tally.rays + 2);  // edge disagreements stay rare
  CHECK(tally.hits > 0);
}

// Scenes used on both backends.
inline Scene scene_of(Mesh m, std::int32_t world = 0) {
  Scene s;
  s.world_material = world;
  s.add_placement(s.add_mesh(std::move(m)));
  return s;
}

// A PMT-like bulb: glass envelope around a vacuum, several shells in one mesh.
inline Mesh make_bulb(int segments = 24) {
  std::vector<ProfilePoint> outer{{0, -60}, {30, -60}, {30, 0}, {50, 20},
                                  {55, 45}, {40, 70},  {0, 78}};
  Mesh glass = make_revolution(outer, segments, {0, 2, -1});
  std::vector<ProfilePoint> inner{{0, -55}, {25, -55}, {25, 0}, {45, 20},
                                  {50, 45}, {36, 66},  {0, 73}};
  Mesh vac = make_revolution(inner, segments, {1, 0, 3});
  const auto base = static_cast<std::uint32_t>(glass.vertices.size());
  for (Vec3 v : vac.vertices) glass.vertices.push_back(v);
  for (std::size_t t = 0; t < vac.size(); ++t) {
    const auto& tri = vac.triangles[t];
    glass.add_triangle(tri[0] + base, tri[1] + base, tri[2] + base, vac.materials[t]);
  }
  glass.name = "bulb";
  return glass;
}

// Bulbs placed on a ring and a box "tank" around them: two unique meshes, many placements.
inline Scene make_instanced_scene(int placements = 40) {
  Scene s;
  s.world_material = 2;
  const auto bulb = s.add_mesh(make_bulb());
  const auto tank = s.add_mesh(make_box({600, 600, 600}, 4, {2, 2, 1}));
  s.add_placement(tank);
  for (int i = 0; i < placements; ++i) {
    const float phi = 2 * 3.14159265f * i / placements;
    const float z = -300.0f + 600.0f * (i % 5) / 4.0f;
    // bulb axis (z) pointing to the centre
    const Vec3 axis = normalize(Vec3{-std::sin(phi), std::cos(phi), 0});
    RigidTransform t =
        rotation_about(axis, -1.5707963f, Vec3{450 * std::cos(phi), 450 * std::sin(phi), z});
    s.add_placement(bulb, t, i);
  }
  return s;
}

// Hits of a geometry on the host, on all hardware threads.
template <class G>
std::vector<Hit> host_hits(const G& g, const std::vector<Ray>& rays) {
  std::vector<Hit> hits(rays.size());
  parallel_for(rays.size(), [&](std::size_t i) { hits[i] = g.closest_hit(rays[i]); });
  return hits;
}

}  // namespace chroma2::test

namespace chroma2::test {

// How a backend computes hits and reference answers; the host one runs on CPU threads.
struct HostBackend {
  static std::vector<Hit> hits(const TriangleGeometry<Host>& g, const std::vector<Ray>& rays) {
    return host_hits(g.ref(), rays);
  }
  static std::vector<RefHit> refs(const std::vector<RefTriangle>& tris,
                                  const std::vector<Ray>& rays, double shift) {
    return reference_hits(tris, rays, shift);
  }
};

// Closest hits of n rays of every kind against the reference, on backend B.
template <class B>
void check_scene(const Scene& scene, std::size_t n, std::uint64_t seed) {
  const auto tris = reference_triangles(scene);
  REQUIRE(!tris.empty());
  const auto rays = make_rays(tris, n, seed);
  const auto geometry = build_geometry(scene);
  const auto hits = B::hits(geometry, rays);
  const auto refs = B::refs(tris, rays, HitChecker(scene, tris).shift());
  check_hits(scene, tris, rays, hits, refs);
}

// Relaunch from every hit, onward, reflected and in a random direction: the new ray never hits
// the surface just left closer than relaunch_epsilon, and never misses a surface the reference
// finds beyond 2 epsilon / |cos| from the exact hit point (the offset is along the normal).
template <class B>
void check_relaunch(const Scene& scene, std::size_t n, std::uint64_t seed) {
  const auto tris = reference_triangles(scene);
  const auto geometry = build_geometry(scene);
  auto rays = make_rays(tris, n, seed);
  const auto first = B::hits(geometry, rays);
  std::mt19937_64 rng(seed ^ 0xabcdef);
  std::vector<Ray> next, exact;
  std::vector<Hit> left;
  std::vector<Ray> first_ray;
  std::vector<float> epsilon;
  for (std::size_t i = 0; i < rays.size(); ++i) {
    const Hit& h = first[i];
    if (!h.hit()) continue;
    const Vec3 p = hit_point(rays[i], h);
    const Vec3 d = rays[i].direction, nn = h.normal;
    const Vec3 dirs[3] = {d, normalize(d - (2 * dot(d, nn)) * nn), isotropic(rng)};
    // the hit point's error scales with the first ray's origin and length, not with the point
    const float eps = relaunch_epsilon(rays[i], h);
    for (Vec3 nd : dirs) {
      const float c = std::fabs(dot(nd, nn));
      if (c < 0.1f) continue;
      next.push_back(relaunch_ray(rays[i], h, nd));
      exact.push_back({p, 2 * eps / c, nd, std::numeric_limits<float>::infinity()});
      epsilon.push_back(eps);
      left.push_back(h);
      first_ray.push_back(rays[i]);
    }
  }
  REQUIRE(next.size() > n / 4);
  const auto second = B::hits(geometry, next);
  // (a) the relaunched rays are ordinary rays: they agree with the reference from their origin
  HitChecker checker(scene, tris);
  // (interpenetrating triangles and shells make starts near another surface common: 3 %)
  check_hits(scene, tris, next, second, B::refs(tris, next, checker.shift()), 0.03, false);
  // (b) and (c): the surface just left, and the surfaces beyond 2 epsilon of the exact hit point
  const auto from_exact = B::refs(tris, exact, 0.0);
  const double tol = checker.tolerance();
  std::size_t same_close = 0, missed = 0;
  std::string example, close_example;
  for (std::size_t i = 0; i < next.size(); ++i) {
    const Hit& h = second[i];
    const float eps = epsilon[i];
    if (h.hit() && h.instance == left[i].instance && h.primitive == left[i].primitive &&
        h.distance < eps) {
      if (same_close++ == 0)
        close_example = "hit (" + std::to_string(h.instance) + ", " +
                        std::to_string(h.primitive) + ") again at " +
                        HitChecker::g9(h.distance) + " < eps " + HitChecker::g9(eps) +
                        "; relaunched ray " + HitChecker::describe(next[i]) +
                        "; first ray " + HitChecker::describe(first_ray[i]) + " hit at " +
                        HitChecker::g9(left[i].distance);
    }
    if (from_exact[i].index[0] == invalid_index) continue;
    const RefTriangle& rt = tris[from_exact[i].index[0]];
    D3 m = cross3(sub(rt.v1, rt.v0), sub(rt.v2, rt.v1));
    const double c = std::fabs(dot3(m, to_d3(exact[i].direction))) / std::sqrt(dot3(m, m));
    if (c < 0.05) continue;  // grazing the far surface: the origins' offset moves the hit freely
    const double allowed = from_exact[i].t[0] + 2 * eps / c + tol + 1e-6 * from_exact[i].t[0];
    if (!h.hit() || h.distance > allowed) {
      double tt = 0, b = 0;
      ref_intersect(rt, to_d3(exact[i].origin), to_d3(exact[i].direction), tt, b);
      if (b < 1e-4) continue;  // through an edge: covered by the watertightness checks
      // The relaunched ray is the exact one moved by eps along the normal, so its crossing of the
      // far triangle's plane moves by up to eps (1 + 1/c) within that plane: a crossing that
      // close to the far triangle's boundary may fall outside it. Met there, both are right.
      const D3 q = along(to_d3(exact[i].origin), to_d3(exact[i].direction), tt);
      const double to_boundary = std::fmin(point_segment_distance(q, rt.v0, rt.v1),
                                           std::fmin(point_segment_distance(q, rt.v1, rt.v2),
                                                     point_segment_distance(q, rt.v2, rt.v0)));
      if (to_boundary <= eps * (1 + 1 / c) + tol) continue;
      if (example.empty())
        example = "missed (" + std::to_string(rt.instance) + ", " + std::to_string(rt.primitive) +
                  ") at " + std::to_string(from_exact[i].t[0]) + " (cos " + std::to_string(c) +
                  ", " + std::to_string(to_boundary) + " mm inside, eps " + std::to_string(eps) +
                  "); got " +
                  (h.hit() ? "(" + std::to_string(h.instance) + ", " +
                                 std::to_string(h.primitive) + ") at " +
                                 std::to_string(h.distance)
                           : std::string("a miss")) +
                  "; exact ray " + HitChecker::describe(exact[i]);
      ++missed;
    }
  }
  INFO("relaunched " << next.size() << " rays; " << example << close_example);
  CHECK(same_close == 0);
  CHECK(missed == 0);
}

// Material at points inside nested shells and outside everything.
template <class G>
void check_materials(const G& g, const std::vector<Vec3>& points,
                     const std::vector<std::int32_t>& expected,
                     const std::vector<std::int32_t>& got) {
  (void)g;
  REQUIRE(got.size() == points.size());
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < points.size(); ++i) wrong += got[i] != expected[i];
  CHECK(wrong == 0);
}

}  // namespace chroma2::test
