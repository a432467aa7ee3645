// SPDX-License-Identifier: BSD-3-Clause
// Leaving a surface without hitting it again. A hit point carries a rounding error that grows with
// its coordinates (and with a placement's translation), so the next ray starts a small distance
// off the surface, along the geometric normal, on the side the new direction goes (after Wächter &
// Binder 2019). The distance is relaunch_epsilon(p), in mm.
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

// The ray that leaves a hit point p (on a surface with unit normal n) in direction d.
CHROMA2_HD inline Ray relaunch_ray(Vec3 p, Vec3 n, Vec3 d,
                                   float tmax = std::numeric_limits<float>::infinity()) {
  const float eps = relaunch_epsilon(p);
  const float side = dot(d, n) >= 0 ? 1.0f : -1.0f;
  return {p + (side * eps) * n, 0.0f, d, tmax};
}

}  // namespace chroma2
