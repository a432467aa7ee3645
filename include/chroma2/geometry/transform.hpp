// SPDX-License-Identifier: BSD-3-Clause
// RigidTransform: where a placed mesh sits, world = R·v + t (mm). Rays are moved into a mesh's
// frame with the transpose, so distances along a ray are the same in both frames.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/vec.hpp"

namespace chroma2 {

struct RigidTransform {
  float r[9];  // row-major rotation: world_i = sum_j r[3 i + j] v_j + t_i
  Vec3 t;      // translation, mm

  static constexpr RigidTransform identity() { return {{1, 0, 0, 0, 1, 0, 0, 0, 1}, {0, 0, 0}}; }
  static constexpr RigidTransform translation(Vec3 t) { return {{1, 0, 0, 0, 1, 0, 0, 0, 1}, t}; }

  CHROMA2_HD constexpr Vec3 rotate(Vec3 v) const {
    return {r[0] * v.x + r[1] * v.y + r[2] * v.z, r[3] * v.x + r[4] * v.y + r[5] * v.z,
            r[6] * v.x + r[7] * v.y + r[8] * v.z};
  }
  CHROMA2_HD constexpr Vec3 rotate_inverse(Vec3 v) const {
    return {r[0] * v.x + r[3] * v.y + r[6] * v.z, r[1] * v.x + r[4] * v.y + r[7] * v.z,
            r[2] * v.x + r[5] * v.y + r[8] * v.z};
  }
  CHROMA2_HD constexpr Vec3 apply(Vec3 v) const { return rotate(v) + t; }
  CHROMA2_HD constexpr Vec3 apply_inverse(Vec3 w) const { return rotate_inverse(w - t); }
};

// Rotation by angle (radians) about a unit axis (Rodrigues' formula).
inline RigidTransform rotation_about(Vec3 axis, float angle, Vec3 t = {0, 0, 0}) {
  const float c = std::cos(angle), s = std::sin(angle), k = 1 - c;
  const float x = axis.x, y = axis.y, z = axis.z;
  return {{c + x * x * k, x * y * k - z * s, x * z * k + y * s, y * x * k + z * s, c + y * y * k,
           y * z * k - x * s, z * x * k - y * s, z * y * k + x * s, c + z * z * k},
          t};
}

}  // namespace chroma2
