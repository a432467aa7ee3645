// SPDX-License-Identifier: BSD-3-Clause
// Stack traversal of one BVH level, written once for both backends and both levels (instances
// over meshes, triangles within a mesh). Children are visited nearest first; leaves call back with
// their primitive range and may shrink tmax; a pushed node whose entry distance is beyond the
// current tmax when popped is skipped. The stack is a small fixed array (local memory).
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/geometry/bvh_node.hpp"
#include "chroma2/geometry/detail/intersect.hpp"

#include <cstdint>

namespace chroma2::detail {

// The builder keeps every tree at most this deep, so the stack never overflows.
inline constexpr int bvh_stack_size = 64;

CHROMA2_HD CHROMA2_FORCEINLINE BvhNode load_node(const BvhNode* p) {
#if CHROMA2_DEVICE_PASS
  const float4* q = reinterpret_cast<const float4*>(p);
  BvhNode n;
  float4* o = reinterpret_cast<float4*>(&n);
  o[0] = __ldg(q);
  o[1] = __ldg(q + 1);
  o[2] = __ldg(q + 2);
  o[3] = __ldg(q + 3);
  return n;
#else
  return *p;
#endif
}

// Counts what a query costs (nodes visited, triangles tested, placements entered); the default
// counts nothing and compiles away.
struct NoTraversalCounters {
  CHROMA2_HD void node() {}
  CHROMA2_HD void triangle() {}
  CHROMA2_HD void instance() {}
};

template <class Leaf, class Counters = NoTraversalCounters>
CHROMA2_HD CHROMA2_FORCEINLINE void traverse_bvh(const BvhNode* nodes, std::uint32_t root,
                                                 const PreparedRay& ray, float tmin, float& tmax,
                                                 Leaf&& leaf, Counters&& counters = {}) {
  std::uint32_t stack[bvh_stack_size];
  float stack_t[bvh_stack_size];  // entry distance of each pushed node: skipped once tmax is below
  int sp = 0;
  std::uint32_t node = root;
  while (true) {
    const BvhNode n = load_node(nodes + node);
    counters.node();
    float t0, t1;
    bool h0 = ray_box(ray, n.lo_x[0], n.lo_y[0], n.lo_z[0], n.hi_x[0], n.hi_y[0], n.hi_z[0], tmin,
                      tmax, t0) &&
              !n.is_empty(0);
    bool h1 = ray_box(ray, n.lo_x[1], n.lo_y[1], n.lo_z[1], n.hi_x[1], n.hi_y[1], n.hi_z[1], tmin,
                      tmax, t1) &&
              !n.is_empty(1);
    const int near = (h1 && (!h0 || t1 < t0)) ? 1 : 0;
    const int far = 1 - near;
    const bool hit_near = near == 0 ? h0 : h1, hit_far = near == 0 ? h1 : h0;
    std::uint32_t next = invalid_child;
    if (hit_near) {
      if (n.count[near] != 0)
        leaf(n.first[near], n.count[near], tmax);
      else
        next = n.first[near];
    }
    const float t_far = near == 0 ? t1 : t0;
    if (hit_far && t_far <= tmax) {  // the near leaf may have moved tmax in front of it
      if (n.count[far] != 0) {
        leaf(n.first[far], n.count[far], tmax);
      } else if (next == invalid_child) {
        next = n.first[far];
      } else if (sp < bvh_stack_size) {
        stack_t[sp] = t_far;
        stack[sp++] = n.first[far];
      }
    }
    while (next == invalid_child) {
      if (sp == 0) return;
      --sp;
      if (stack_t[sp] <= tmax) next = stack[sp];  // else a closer hit was found since the push
    }
    node = next;
  }
}

}  // namespace chroma2::detail
