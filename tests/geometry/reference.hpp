// SPDX-License-Identifier: BSD-3-Clause
// The independent reference for closest-hit tests: every placed triangle moved into the world in
// double precision and intersected one by one with its own (Möller–Trumbore) routine. CHROMA2_HD,
// so the GPU tests run the very same brute force on the device.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/geometry.hpp"
#include "chroma2/geometry/scene.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

namespace chroma2::test {

struct D3 {
  double x, y, z;
};
CHROMA2_HD inline D3 sub(D3 a, D3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
CHROMA2_HD inline double dot3(D3 a, D3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
CHROMA2_HD inline D3 cross3(D3 a, D3 b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
CHROMA2_HD inline D3 to_d3(Vec3 v) { return {v.x, v.y, v.z}; }

struct RefTriangle {
  D3 v0, v1, v2;
  std::uint32_t instance, primitive;
};

// Closest hits at or beyond two start distances (the ray's tmin, and tmin + shift) in one pass.
struct RefHit {
  double t[2];
  std::uint32_t index[2];  // into the reference triangles, or invalid_index
};

// Möller–Trumbore in double; returns t and the smallest barycentric (negative: outside).
CHROMA2_HD inline bool ref_intersect(const RefTriangle& tri, D3 o, D3 d, double& t, double& bmin) {
  const D3 e1 = sub(tri.v1, tri.v0), e2 = sub(tri.v2, tri.v0);
  const D3 p = cross3(d, e2);
  const double det = dot3(e1, p);
  if (det == 0 || !std::isfinite(det)) return false;
  const double inv = 1.0 / det;
  const D3 s = sub(o, tri.v0);
  const double u = dot3(s, p) * inv;
  const D3 q = cross3(s, e1);
  const double v = dot3(d, q) * inv;
  t = dot3(e2, q) * inv;
  bmin = std::fmin(std::fmin(u, v), 1.0 - u - v);
  return std::isfinite(t);
}

// Distances in double for the touching rule of the checks (bodies.hpp).
inline double norm3(D3 a) { return std::sqrt(dot3(a, a)); }
inline D3 along(D3 o, D3 d, double t) { return {o.x + t * d.x, o.y + t * d.y, o.z + t * d.z}; }

// Distance between the ray points o + s d, s in [s0, s1], and the segment [a, b]: the closest
// pair of the unconstrained lines, clamped to the segment, the other parameter recomputed and
// clamped again (exact for two segments, which minimise a convex quadratic over a rectangle).
inline double ray_segment_distance(D3 o, D3 d, double s0, double s1, D3 a, D3 b) {
  const D3 e = sub(b, a), w = sub(o, a);
  const double dd = dot3(d, d), de = dot3(d, e), ee = dot3(e, e), dw = dot3(d, w),
               ew = dot3(e, w);
  const double den = dd * ee - de * de;
  auto clamp = [](double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); };
  double s = den > 1e-12 * dd * ee ? clamp((de * ew - ee * dw) / den, s0, s1) : s0;
  double u = ee > 0 ? clamp((de * s + ew) / ee, 0.0, 1.0) : 0.0;
  s = clamp((de * u - dw) / dd, s0, s1);
  u = ee > 0 ? clamp((de * s + ew) / ee, 0.0, 1.0) : 0.0;
  return norm3(sub(along(o, d, s), along(a, e, u)));
}

inline double point_segment_distance(D3 p, D3 a, D3 b) {
  const D3 e = sub(b, a);
  const double ee = dot3(e, e);
  double u = ee > 0 ? dot3(sub(p, a), e) / ee : 0.0;
  u = u < 0 ? 0 : (u > 1 ? 1 : u);
  return norm3(sub(p, along(a, e, u)));
}

// Distance from a point to a (non-degenerate) triangle.
inline double point_triangle_distance(D3 p, const RefTriangle& t) {
  const D3 n = cross3(sub(t.v1, t.v0), sub(t.v2, t.v1));
  const double nn = dot3(n, n);
  const double h = dot3(sub(p, t.v0), n) / nn;
  const D3 q = along(p, n, -h);  // p projected onto the plane
  const double w0 = dot3(cross3(sub(t.v1, t.v0), sub(q, t.v0)), n),
               w1 = dot3(cross3(sub(t.v2, t.v1), sub(q, t.v1)), n),
               w2 = dot3(cross3(sub(t.v0, t.v2), sub(q, t.v2)), n);
  if (w0 >= 0 && w1 >= 0 && w2 >= 0) return std::fabs(h) * std::sqrt(nn);
  return std::fmin(point_segment_distance(p, t.v0, t.v1),
                   std::fmin(point_segment_distance(p, t.v1, t.v2),
                             point_segment_distance(p, t.v2, t.v0)));
}

// Whether the ray (between tmin and tmax, or 1e8 mm when unbounded) passes within delta of an
// edge of the triangle.
inline bool ray_passes_near_edge(const Ray& r, const RefTriangle& t, double delta) {
  const D3 o = to_d3(r.origin), d = to_d3(r.direction);
  const double s1 = std::isfinite(r.tmax) ? double(r.tmax) : 1e8;
  return ray_segment_distance(o, d, r.tmin, s1, t.v0, t.v1) <= delta ||
         ray_segment_distance(o, d, r.tmin, s1, t.v1, t.v2) <= delta ||
         ray_segment_distance(o, d, r.tmin, s1, t.v2, t.v0) <= delta;
}

CHROMA2_HD inline RefHit ref_closest(const RefTriangle* tris, std::size_t n, const Ray& ray,
                                     double shift) {
  RefHit best{{ray.tmax, ray.tmax}, {invalid_index, invalid_index}};
  const D3 o = to_d3(ray.origin), d = to_d3(ray.direction);
  const double tmin[2] = {ray.tmin, ray.tmin + shift};
  for (std::size_t i = 0; i < n; ++i) {
    double t, b;
    if (!ref_intersect(tris[i], o, d, t, b) || b < 0) continue;
    for (int k = 0; k < 2; ++k)
      if (t >= tmin[k] && t < best.t[k])
        best.t[k] = t, best.index[k] = static_cast<std::uint32_t>(i);
  }
  return best;
}

// Every non-degenerate placed triangle, in world coordinates computed in double.
inline std::vector<RefTriangle> reference_triangles(const Scene& s) {
  std::vector<RefTriangle> out;
  for (std::uint32_t p = 0; p < s.placements.size(); ++p) {
    const Placement& pl = s.placements[p];
    const Mesh& m = s.meshes[pl.mesh];
    auto place = [&](Vec3 v) {
      const float* r = pl.transform.r;
      return D3{double(r[0]) * v.x + double(r[1]) * v.y + double(r[2]) * v.z + pl.transform.t.x,
                double(r[3]) * v.x + double(r[4]) * v.y + double(r[5]) * v.z + pl.transform.t.y,
                double(r[6]) * v.x + double(r[7]) * v.y + double(r[8]) * v.z + pl.transform.t.z};
    };
    for (std::uint32_t t = 0; t < m.size(); ++t) {
      if (m.is_degenerate(t)) continue;
      const auto& tri = m.triangles[t];
      out.push_back(
          {place(m.vertices[tri[0]]), place(m.vertices[tri[1]]), place(m.vertices[tri[2]]), p, t});
    }
  }
  return out;
}

}  // namespace chroma2::test
