// SPDX-License-Identifier: BSD-3-Clause
// Vec3: the small 3-vector of floats used for positions (mm), directions and polarisations on both
// backends. A plain aggregate (no CUDA float3), so host code needs no CUDA header.
#pragma once

#include "chroma2/config/macros.hpp"

#include <cmath>

namespace chroma2 {

struct Vec3 {
  float x, y, z;
};

CHROMA2_HD constexpr Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
CHROMA2_HD constexpr Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
CHROMA2_HD constexpr Vec3 operator-(Vec3 a) { return {-a.x, -a.y, -a.z}; }
CHROMA2_HD constexpr Vec3 operator*(float s, Vec3 a) { return {s * a.x, s * a.y, s * a.z}; }
CHROMA2_HD constexpr Vec3 operator*(Vec3 a, float s) { return {s * a.x, s * a.y, s * a.z}; }
CHROMA2_HD constexpr Vec3 operator/(Vec3 a, float s) { return {a.x / s, a.y / s, a.z / s}; }
CHROMA2_HD constexpr bool operator==(Vec3 a, Vec3 b) {
  return a.x == b.x && a.y == b.y && a.z == b.z;
}
CHROMA2_HD constexpr float dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
CHROMA2_HD constexpr Vec3 cross(Vec3 a, Vec3 b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
CHROMA2_HD inline float norm(Vec3 a) { return std::sqrt(dot(a, a)); }
CHROMA2_HD inline Vec3 normalize(Vec3 a) { return a * (1.0f / norm(a)); }
CHROMA2_HD inline Vec3 vmin(Vec3 a, Vec3 b) {
  return {std::fmin(a.x, b.x), std::fmin(a.y, b.y), std::fmin(a.z, b.z)};
}
CHROMA2_HD inline Vec3 vmax(Vec3 a, Vec3 b) {
  return {std::fmax(a.x, b.x), std::fmax(a.y, b.y), std::fmax(a.z, b.z)};
}
CHROMA2_HD constexpr float component(Vec3 a, int axis) {
  return axis == 0 ? a.x : (axis == 1 ? a.y : a.z);
}

}  // namespace chroma2
