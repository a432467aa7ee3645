// SPDX-License-Identifier: BSD-3-Clause
// The BVH node format shared by the host builder and the traversal on both backends. A node holds
// the boxes of its children (not its own), so one 64-byte load tests all of them; the child count
// is a template parameter, so a 4- or 8-wide (later compressed) node can take this one's place.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/invalid_index.hpp"
#include "chroma2/core/vec.hpp"

#include <cstdint>
#include <limits>
#include <type_traits>

namespace chroma2 {

namespace detail {
// min/max that compile to one instruction on both backends (std::fmin is a libm call on x86-64
// without -ffast-math). Operands are never NaN where they are used.
CHROMA2_HD CHROMA2_FORCEINLINE float min_f(float a, float b) {
#if CHROMA2_DEVICE_PASS
  return fminf(a, b);
#else
  return a < b ? a : b;
#endif
}
CHROMA2_HD CHROMA2_FORCEINLINE float max_f(float a, float b) {
#if CHROMA2_DEVICE_PASS
  return fmaxf(a, b);
#else
  return a > b ? a : b;
#endif
}
CHROMA2_HD CHROMA2_FORCEINLINE Vec3 min_v(Vec3 a, Vec3 b) {
  return {min_f(a.x, b.x), min_f(a.y, b.y), min_f(a.z, b.z)};
}
CHROMA2_HD CHROMA2_FORCEINLINE Vec3 max_v(Vec3 a, Vec3 b) {
  return {max_f(a.x, b.x), max_f(a.y, b.y), max_f(a.z, b.z)};
}
}  // namespace detail

// Axis-aligned box, mm. The empty box has lo = +inf, hi = -inf.
struct Aabb {
  Vec3 lo{inf(), inf(), inf()};
  Vec3 hi{-inf(), -inf(), -inf()};
  static constexpr float inf() { return std::numeric_limits<float>::infinity(); }
  CHROMA2_HD void grow(Vec3 p) {
    lo = detail::min_v(lo, p);
    hi = detail::max_v(hi, p);
  }
  CHROMA2_HD void grow(const Aabb& b) {
    lo = detail::min_v(lo, b.lo);
    hi = detail::max_v(hi, b.hi);
  }
  CHROMA2_HD bool empty() const { return !(lo.x <= hi.x && lo.y <= hi.y && lo.z <= hi.z); }
  CHROMA2_HD float half_area() const {
    if (empty()) return 0;
    const Vec3 d = hi - lo;
    return d.x * d.y + d.y * d.z + d.z * d.x;
  }
  CHROMA2_HD Vec3 centre() const { return 0.5f * (lo + hi); }
};

// A child reference: count > 0 is a leaf of primitives [first, first + count); count == 0 with
// first == invalid_index is an empty slot; otherwise first is the index of an inner node.

// Width-W node, structure of arrays inside the node: lo/hi per axis per child, then references.
template <int W>
struct alignas(64) WideBvhNode {
  static constexpr int width = W;
  float lo_x[W], hi_x[W], lo_y[W], hi_y[W], lo_z[W], hi_z[W];
  std::uint32_t first[W];
  std::uint32_t count[W];

  CHROMA2_HD void set_child(int k, const Aabb& b, std::uint32_t f, std::uint32_t c) {
    lo_x[k] = b.lo.x, lo_y[k] = b.lo.y, lo_z[k] = b.lo.z;
    hi_x[k] = b.hi.x, hi_y[k] = b.hi.y, hi_z[k] = b.hi.z;
    first[k] = f, count[k] = c;
  }
  CHROMA2_HD void set_empty(int k) {
    lo_x[k] = lo_y[k] = lo_z[k] = 1.0f;
    hi_x[k] = hi_y[k] = hi_z[k] = -1.0f;
    first[k] = invalid_index, count[k] = 0;
  }
  CHROMA2_HD bool is_empty(int k) const { return count[k] == 0 && first[k] == invalid_index; }
  CHROMA2_HD Aabb child_box(int k) const {
    return {{lo_x[k], lo_y[k], lo_z[k]}, {hi_x[k], hi_y[k], hi_z[k]}};
  }
};

// The node the builder emits today: binary, 64 bytes, one cache sector pair.
using BvhNode = WideBvhNode<2>;
static_assert(sizeof(BvhNode) == 64);
static_assert(std::is_trivially_copyable_v<BvhNode>);

}  // namespace chroma2
