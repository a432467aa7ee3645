// SPDX-License-Identifier: BSD-3-Clause
// Small analytic geometries for the optical physics tests: an infinite medium and a plane (any
// point and normal) between two materials, optionally carrying a surface. They model Geometry
// (core/concepts/geometry.hpp) and run unchanged on the host and in a kernel. Units: mm.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/concepts/geometry.hpp"
#include "chroma2/core/invalid_index.hpp"
#include "chroma2/core/vec.hpp"

#include <cmath>
#include <cstdint>

namespace chroma2::test {

CHROMA2_HD inline Hit miss(const Ray& r) {
  Hit h{};
  h.distance = r.tmax;
  h.instance = invalid_index;
  h.primitive = invalid_index;
  h.surface = -1;
  h.channel = -1;
  return h;
}

// A hit at distance t on a surface with the given outward normal, materials, surface and channel.
CHROMA2_HD inline Hit surface_hit(float t, Vec3 normal, std::int32_t inside, std::int32_t outside,
                                  std::int32_t surface, std::int32_t channel) {
  Hit h{};
  h.distance = t;
  h.instance = 0;
  h.primitive = 0;
  h.normal = normal;
  h.inner_material = inside;
  h.outer_material = outside;
  h.surface = surface;
  h.channel = channel;
  return h;
}

// One material everywhere, no surface.
struct InfiniteMedium {
  std::int32_t material = 0;
  CHROMA2_HD Hit closest_hit(Ray r) const { return miss(r); }
  CHROMA2_HD std::int32_t material_at(Vec3) const { return material; }
};

// The plane through `point` with unit `normal`: `outside` on the normal's side, `inside` on the
// other. The photon's own position decides the side (within the relaunch offset).
struct PlaneGeometry {
  Vec3 point{0, 0, 0};
  Vec3 normal{0, 0, 1};
  std::int32_t inside = 0, outside = 1;
  std::int32_t surface = -1;
  std::int32_t channel = -1;

  CHROMA2_HD Hit closest_hit(Ray r) const {
    const float dn = dot(r.direction, normal);
    if (dn == 0.0f) return miss(r);
    // point − origin first: exact for nearby points, however far from the world's origin
    const Vec3 to_plane = point - r.origin;
    const float t = dot(to_plane, normal) / dn;
    if (!(t > r.tmin) || !(t <= r.tmax)) return miss(r);
    return surface_hit(t, normal, inside, outside, surface, channel);
  }
  CHROMA2_HD std::int32_t material_at(Vec3 p) const {
    return dot(p - point, normal) >= 0.0f ? outside : inside;
  }
};

static_assert(Geometry<InfiniteMedium>);
static_assert(Geometry<PlaneGeometry>);

}  // namespace chroma2::test
