// SPDX-License-Identifier: BSD-3-Clause
// Stack traversal of the two-level BVH (placements over meshes), written once for both backends.
// One loop serves both levels, so the lanes of a warp run the same code whichever level each is
// in: entering a placement only swaps the ray for its mesh-frame twin and starts at the mesh's
// root, above the placement's entries on the one shared stack; leaving it (its part of the stack
// empty) restores the world ray. The loop is a "while-while" loop (Aila & Laine 2009): a lane
// walks inner nodes until it holds a leaf (a triangle range, or a placement to enter), and on
// the device goes on walking until every active lane of its warp holds one; then the lanes do
// their leaves together. Children are visited nearest first; a pushed entry whose entry distance
// is beyond tmax when popped is skipped.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/invalid_index.hpp"
#include "chroma2/geometry/bvh_node.hpp"
#include "chroma2/geometry/detail/intersect.hpp"

#include <cstdint>
#include <limits>

namespace chroma2::detail {

// The builder keeps every tree at most 64 deep; both levels share the stack.
inline constexpr int bvh_stack_size = 128;

// Node references on the stack: an inner node's index (< 2^29); a leaf as its parent node and
// slot (leaf_ref | parent << 1 | slot); the rest of a multi-placement top-level leaf as
// (leaf_ref | more_ref | (count - 1) << 24 | first), placements < 2^24, count <= 64.
inline constexpr std::uint32_t leaf_ref = 0x80000000u;
inline constexpr std::uint32_t more_ref = 0x40000000u;
inline constexpr std::uint32_t max_bvh_nodes = 1u << 29;
inline constexpr std::uint32_t max_placements = 1u << 24;

struct StackEntry {  // 8 bytes: one local load per pop
  std::uint32_t ref;
  float t;  // entry distance
};

// A 16-byte-aligned record read through the read-only cache as float4 loads on the device.
template <class T>
CHROMA2_HD CHROMA2_FORCEINLINE T load_ro(const T* p) {
  static_assert(sizeof(T) % 16 == 0 && alignof(T) >= 16);
#if CHROMA2_DEVICE_PASS
  const float4* q = reinterpret_cast<const float4*>(p);
  T r;
  float4* o = reinterpret_cast<float4*>(&r);
#pragma unroll
  for (int k = 0; k < int(sizeof(T) / 16); ++k) o[k] = __ldg(q + k);
  return r;
#else
  return *p;
#endif
}

CHROMA2_HD CHROMA2_FORCEINLINE BvhNode load_node(const BvhNode* p) { return load_ro(p); }

CHROMA2_HD CHROMA2_FORCEINLINE std::uint32_t load_u32(const std::uint32_t* p) {
#if CHROMA2_DEVICE_PASS
  return __ldg(p);
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

// Closest-hit walk of the two-level tree. `enter(i, ray)` sets `ray` to the world ray (origin o,
// direction d) in placement i's mesh frame and returns the mesh's root; `leaf(i, first, count,
// ray, tmax)` tests triangles [first, first + count) of placement i and may shrink tmax.
template <class Enter, class Leaf, class Counters = NoTraversalCounters>
CHROMA2_HD CHROMA2_FORCEINLINE void traverse_instanced(const BvhNode* nodes, std::uint32_t top_root,
                                                       Vec3 o, Vec3 d, float tmin, float& tmax,
                                                       Enter&& enter, Leaf&& leaf,
                                                       Counters&& counters = {}) {
  StackEntry stack[bvh_stack_size];
  int sp = 0;
  int floor = 0;  // the current placement's entries start here (0 at the top level)
  PreparedRay ray = prepare_ray(o, d);
  std::uint32_t inst = invalid_index;  // the placement being walked; invalid_index at the top level
  std::uint32_t node = top_root;
  float node_t = -std::numeric_limits<float>::infinity();  // node's entry distance
  std::uint32_t leaf_first = 0, leaf_count = 0;  // the pending leaf (count 0: none)
  float leaf_t = 0;

  auto push = [&](std::uint32_t ref, float t) {
    if (sp < bvh_stack_size) stack[sp++] = {ref, t};
  };
  auto pop = [&]() {  // into node, node_t
    node = invalid_index;
    while (sp > floor) {
      const StackEntry e = stack[--sp];
      if (e.t <= tmax) {  // else a closer hit was found since the push
        node = e.ref, node_t = e.t;
        break;
      }
    }
  };

  while (true) {
    // Inner nodes, until this lane holds a leaf (on the device: until all lanes do).
    while (node < leaf_ref) {
#if CHROMA2_DEVICE_PASS
      if (__all_sync(__activemask(), leaf_count != 0)) break;
#else
      if (leaf_count != 0) break;
#endif
      const BvhNode n = load_node(nodes + node);
      counters.node();
      float t0, t1;
      const bool h0 = ray_box(ray, n.lo_x[0], n.lo_y[0], n.lo_z[0], n.hi_x[0], n.hi_y[0],
                              n.hi_z[0], tmin, tmax, t0) &&
                      !n.is_empty(0);
      const bool h1 = ray_box(ray, n.lo_x[1], n.lo_y[1], n.lo_z[1], n.hi_x[1], n.hi_y[1],
                              n.hi_z[1], tmin, tmax, t1) &&
                      !n.is_empty(1);
      const int near = (h1 && (!h0 || t1 < t0)) ? 1 : 0;
      const int far = 1 - near;
      const bool hit_near = near == 0 ? h0 : h1, hit_far = near == 0 ? h1 : h0;
      const float t_near = near == 0 ? t0 : t1, t_far = near == 0 ? t1 : t0;
      std::uint32_t next = invalid_index;
      float next_t = t_near;
      if (hit_near) {
        if (n.count[near] == 0) {
          next = n.first[near];
        } else if (leaf_count == 0) {
          leaf_first = n.first[near], leaf_count = n.count[near], leaf_t = t_near;
        } else {
          next = leaf_ref | node << 1 | std::uint32_t(near);
        }
      }
      if (hit_far) {
        if (n.count[far] != 0 && leaf_count == 0) {
          leaf_first = n.first[far], leaf_count = n.count[far], leaf_t = t_far;
        } else {
          const std::uint32_t r = n.count[far] == 0 ? n.first[far] : leaf_ref | node << 1 | far;
          if (next == invalid_index)
            next = r, next_t = t_far;
          else
            push(r, t_far);
        }
      }
      if (next == invalid_index)
        pop();
      else
        node = next, node_t = next_t;
    }

    // The pending leaf: triangles of the current placement, or a placement to enter.
    if (leaf_count != 0) {
      if (leaf_t <= tmax) {
        if (inst != invalid_index) {
          leaf(inst, leaf_first, leaf_count, ray, tmax);
        } else {
          if (node != invalid_index) push(node, node_t);
          if (leaf_count > 1)
            push(leaf_ref | more_ref | (leaf_count - 2) << 24 | (leaf_first + 1), leaf_t);
          floor = sp;
          inst = leaf_first;
          counters.instance();
          node = enter(inst, ray);
          node_t = -std::numeric_limits<float>::infinity();
        }
      }
      leaf_count = 0;
    }

    if (node >= leaf_ref) {
      if (node != invalid_index) {  // a postponed leaf becomes the pending one
        if (node & more_ref) {
          leaf_first = node & (max_placements - 1);
          leaf_count = ((node >> 24) & 63u) + 1;
        } else {
          const std::uint32_t parent = (node & (more_ref - 1)) >> 1, slot = node & 1u;
          leaf_first = load_u32(&nodes[parent].first[slot]);
          leaf_count = load_u32(&nodes[parent].count[slot]);
        }
        leaf_t = node_t;
        pop();
      } else if (inst != invalid_index) {  // this placement is done: back to the world
        inst = invalid_index;
        floor = 0;
        ray = prepare_ray(o, d);
        pop();
      } else {
        return;
      }
    }
  }
}

}  // namespace chroma2::detail
