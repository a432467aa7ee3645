// SPDX-License-Identifier: BSD-3-Clause
// Leaving a surface without hitting it again. A hit point carries a rounding error that grows with
// its coordinates (and with a placement's translation), so the next ray starts a small distance
// off the surface, along the geometric normal, on the side the new direction goes (after Wächter &
// Binder 2019). The distance is relaunch_epsilon(ray, hit) (or relaunch_epsilon(p) for a point
// known to an ulp of its coordinates), in mm.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/geometry.hpp"
#include "chroma2/core/vec.hpp"

#include <cmath>
#include <limits>

namespace chroma2 {

// 1e-4 mm plus 2^-16 of the largest coordinate: about 128 float ulps of the point, enough to
// cover the hit point's error and the transform into a placement's frame. 0.22 mm at 14.5 m.
CHROMA2_HD inline float relaunch_epsilon(Vec3 p) {
  const float m = std::fmax(std::fmax(std::fabs(p.x), std::fabs(p.y)), std::fabs(p.z));
  return 1e-4f + m * (1.0f / 65536.0f);
}

// The ray that leaves a hit point p (on a surface with unit normal n) in direction d. For a point
// known to about an ulp of its own coordinates; a point computed as origin + distance * direction
// is only known to an ulp of the larger of those: use the overload that takes the ray and hit.
CHROMA2_HD inline Ray relaunch_ray(Vec3 p, Vec3 n, Vec3 d,
                                   float tmax = std::numeric_limits<float>::infinity()) {
  const float eps = relaunch_epsilon(p);
  const float side = dot(d, n) >= 0 ? 1.0f : -1.0f;
  return {p + (side * eps) * n, 0.0f, d, tmax};
}

// The point where `ray` meets `hit`: origin + distance * direction, in float.
CHROMA2_HD inline Vec3 hit_point(const Ray& ray, const Hit& hit) {
  return ray.origin + hit.distance * ray.direction;
}

// The offset for leaving hit_point(ray, hit). That point inherits the rounding of the ray's
// origin and of the distance travelled (a photon from 12 m away meeting a surface near the origin
// is placed to about an ulp of 12 m, not of the point), so the scale is the largest of the point's
// coordinates, the origin's and the distance: 1e-4 mm plus 2^-16 of it, as relaunch_epsilon(p).
// The result does not depend on whether origin + distance * direction is fused (nvcc) or not.
CHROMA2_HD inline float relaunch_epsilon(const Ray& ray, const Hit& hit) {
  const Vec3 p = hit_point(ray, hit), o = ray.origin;
  const float m = std::fmax(
      std::fmax(std::fmax(std::fabs(p.x), std::fabs(p.y)), std::fmax(std::fabs(p.z), hit.distance)),
      std::fmax(std::fmax(std::fabs(o.x), std::fabs(o.y)), std::fabs(o.z)));
  return 1e-4f + m * (1.0f / 65536.0f);
}

// The ray that leaves the surface `hit` of `ray` in direction d, off by relaunch_epsilon(ray, hit)
// along the hit's normal on the side d goes.
CHROMA2_HD inline Ray relaunch_ray(const Ray& ray, const Hit& hit, Vec3 d,
                                   float tmax = std::numeric_limits<float>::infinity()) {
  const float eps = relaunch_epsilon(ray, hit);
  const float side = dot(d, hit.normal) >= 0 ? 1.0f : -1.0f;
  return {hit_point(ray, hit) + (side * eps) * hit.normal, 0.0f, d, tmax};
}

}  // namespace chroma2
