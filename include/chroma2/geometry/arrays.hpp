// SPDX-License-Identifier: BSD-3-Clause
// Placements of many copies of one solid (PMTs lining a tank): `count` positions spread evenly on
// a sphere (a Fibonacci lattice) or on a closed cylinder (rings on the barrel, a square grid cut to
// the caps), each turned so that the solid's local +z axis faces the array's axis or centre. The
// solid is modelled with its face towards +z; `standoff_mm` moves it that far inward from the
// surface it lines. Units: mm.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/transform.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

namespace chroma2 {

// The rotation taking local +z to `facing` (unit), with local +x as close to the world's `hint`
// (not parallel to facing) as possible, placed at `position`.
inline RigidTransform facing_transform(Vec3 position, Vec3 facing, Vec3 hint = {0, 0, 1}) {
  const Vec3 z = normalize(facing);
  Vec3 x = hint - dot(hint, z) * z;
  if (norm(x) < 1e-3f) {  // hint parallel to the facing direction: any perpendicular will do
    const Vec3 other = std::fabs(z.x) < 0.9f ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
    x = other - dot(other, z) * z;
  }
  x = normalize(x);
  const Vec3 y = cross(z, x);
  // columns are the images of the local axes
  return {{x.x, y.x, z.x, x.y, y.y, z.y, x.z, y.z, z.z}, position};
}

// `count` solids on a sphere of `radius_mm` about `centre`, facing the centre (Fibonacci lattice:
// point i at height 1 - (2i + 1)/count, azimuth i times the golden angle; equal areas per point).
inline std::vector<RigidTransform> sphere_array(std::uint32_t count, float radius_mm,
                                                float standoff_mm = 0, Vec3 centre = {0, 0, 0}) {
  if (count == 0 || !(radius_mm > 0) || !std::isfinite(radius_mm) || !(standoff_mm < radius_mm))
    fail("invalid sphere array (" + std::to_string(count) + " solids, radius " +
             std::to_string(radius_mm) + " mm, standoff " + std::to_string(standoff_mm) + " mm)",
         "an array needs at least one solid, a positive radius and a standoff below it",
         "fix the array's count, radius or standoff");
  const double golden = std::numbers::pi * (3.0 - std::sqrt(5.0));
  std::vector<RigidTransform> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const double z = 1.0 - (2.0 * i + 1.0) / count;
    const double r = std::sqrt(std::max(0.0, 1.0 - z * z));
    const double phi = golden * i;
    const Vec3 unit{float(r * std::cos(phi)), float(r * std::sin(phi)), float(z)};
    out.push_back(facing_transform(centre + (radius_mm - standoff_mm) * unit, -1.0f * unit));
  }
  return out;
}

// `count` solids (approximately: the barrel and the caps share it in proportion to their areas,
// each rounded) on a closed cylinder about the z axis through `centre`: the barrel in rings facing
// the axis, the caps on a square grid inside radius - pitch/2 facing along ∓z.
inline std::vector<RigidTransform> cylinder_array(std::uint32_t count, float radius_mm,
                                                  float half_height_mm, float standoff_mm = 0,
                                                  Vec3 centre = {0, 0, 0}) {
  if (count == 0 || !(radius_mm > 0) || !(half_height_mm > 0) || !(standoff_mm < radius_mm) ||
      !std::isfinite(radius_mm) || !std::isfinite(half_height_mm))
    fail("invalid cylinder array (" + std::to_string(count) + " solids, radius " +
             std::to_string(radius_mm) + " mm, half height " + std::to_string(half_height_mm) +
             " mm)",
         "an array needs at least one solid, a positive radius and half height, a standoff below "
         "the radius",
         "fix the array's count, radius, half height or standoff");
  const double barrel = 2 * std::numbers::pi * radius_mm * 2 * half_height_mm;
  const double caps = 2 * std::numbers::pi * double(radius_mm) * radius_mm;
  const double pitch = std::sqrt((barrel + caps) / count);  // mm between neighbours
  std::vector<RigidTransform> out;
  const int rings = std::max(1, int(std::lround(2 * half_height_mm / pitch)));
  const int around = std::max(3, int(std::lround(2 * std::numbers::pi * radius_mm / pitch)));
  const float rr = radius_mm - standoff_mm;
  for (int i = 0; i < rings; ++i) {
    const float z = -half_height_mm + (2 * half_height_mm) * (float(i) + 0.5f) / float(rings);
    for (int j = 0; j < around; ++j) {
      const double phi = 2 * std::numbers::pi * (j + 0.5 * (i % 2)) / around;
      const Vec3 n{float(std::cos(phi)), float(std::sin(phi)), 0};
      out.push_back(facing_transform(centre + Vec3{rr * n.x, rr * n.y, z}, -1.0f * n));
    }
  }
  const double limit = radius_mm - pitch / 2;
  const int half_cells = int(std::floor(limit / pitch));
  for (int side = -1; side <= 1; side += 2)
    for (int a = -half_cells; a <= half_cells; ++a)
      for (int b = -half_cells; b <= half_cells; ++b) {
        const double x = a * pitch, y = b * pitch;
        if (x * x + y * y > limit * limit) continue;
        const float z = float(side) * (half_height_mm - standoff_mm);
        out.push_back(facing_transform(centre + Vec3{float(x), float(y), z},
                                       Vec3{0, 0, -float(side)}, Vec3{1, 0, 0}));
      }
  return out;
}

}  // namespace chroma2
