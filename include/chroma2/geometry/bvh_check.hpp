// SPDX-License-Identifier: BSD-3-Clause
// check_bvh(): an independent walk over a built tree that counts what is wrong with it (missing,
// duplicated or out-of-range references, child boxes that do not hold what is below them). For
// tests and benchmarks; not part of chroma2.hpp.
#pragma once

#include "chroma2/geometry/bvh_build.hpp"
#include "chroma2/geometry/bvh_node.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace chroma2 {

// What check_bvh() found; ok() when the tree is sound.
struct BvhCheck {
  std::size_t missing = 0;     // ids not referenced by any leaf
  std::size_t duplicated = 0;  // references beyond the first to an id (or to a non-id)
  std::size_t bad_boxes = 0;   // child boxes not holding a grandchild's box or a primitive's box
  std::size_t bad_refs = 0;    // node or primitive references out of range, unreachable nodes
  bool ok() const { return missing + duplicated + bad_boxes + bad_refs == 0; }
};

// Checks a built tree: every primitive of `ids` is referenced by exactly one leaf, every child box
// holds the boxes below it, every reference is in range and every node is reached once.
inline BvhCheck check_bvh(const BvhBuildOutput& out, std::span<const Aabb> boxes,
                          std::span<const std::uint32_t> ids) {
  BvhCheck c;
  auto inside = [](const Aabb& in, const Aabb& outer) {
    return in.lo.x >= outer.lo.x && in.lo.y >= outer.lo.y && in.lo.z >= outer.lo.z &&
           in.hi.x <= outer.hi.x && in.hi.y <= outer.hi.y && in.hi.z <= outer.hi.z;
  };
  std::vector<std::uint8_t> wanted(boxes.size(), 0), seen(boxes.size(), 0);
  for (std::uint32_t id : ids) wanted[id] = 1;
  std::vector<std::uint8_t> visited(out.nodes.size(), 0);
  if (out.nodes.empty()) {
    c.missing = ids.size();
    return c;
  }
  std::vector<std::pair<std::uint32_t, Aabb>> todo{
      {0,
       Aabb{{-Aabb::inf(), -Aabb::inf(), -Aabb::inf()}, {Aabb::inf(), Aabb::inf(), Aabb::inf()}}}};
  while (!todo.empty()) {
    const auto [node, parent] = todo.back();
    todo.pop_back();
    if (node >= out.nodes.size() || visited[node]++) {
      ++c.bad_refs;
      continue;
    }
    const BvhNode& n = out.nodes[node];
    for (int k = 0; k < BvhNode::width; ++k) {
      if (n.is_empty(k)) continue;
      const Aabb b = n.child_box(k);
      c.bad_boxes += !inside(b, parent);
      if (n.count[k] == 0) {
        todo.push_back({n.first[k], b});
        continue;
      }
      if (std::uint64_t(n.first[k]) + n.count[k] > out.order.size()) {
        ++c.bad_refs;
        continue;
      }
      for (std::uint32_t i = n.first[k]; i < n.first[k] + n.count[k]; ++i) {
        const std::uint32_t id = out.order[i];
        if (id >= boxes.size() || !wanted[id] || seen[id]++) {
          ++c.duplicated;
          continue;
        }
        c.bad_boxes += !inside(boxes[id], b);
      }
    }
  }
  for (std::size_t i = 0; i < boxes.size(); ++i) c.missing += wanted[i] && !seen[i];
  for (std::uint8_t v : visited) c.bad_refs += !v;
  return c;
}

}  // namespace chroma2
