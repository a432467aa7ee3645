// SPDX-License-Identifier: BSD-3-Clause
// build_bvh(): a BVH over primitive boxes in the binary BvhNode format, built on the host with
// binned SAH on several threads, its depth bounded so the traversal's fixed stack always suffices.
// Used for both levels: triangles and placements. The builder itself is in detail/sah_builder.hpp.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/geometry/bvh_node.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace chroma2 {

struct BvhBuildOptions {
  int max_leaf_size = 4;  // primitives per leaf at most (ranges with equal centroids aside)
  unsigned threads = 0;   // 0: every hardware thread
  int median_depth = 32;  // below this depth, split at the object median (bounds the depth)
};

struct BvhBuildOutput {
  std::vector<BvhNode> nodes;        // node 0 is the root
  std::vector<std::uint32_t> order;  // leaf ranges index into this: order[i] = primitive id
  int depth = 0;
};

// Builds a BVH over the primitives `ids` (indices into boxes; others are left out). Throws
// chroma2::Error for a leaf size outside 1..64 or an id out of range. Defined inline below.
BvhBuildOutput build_bvh(std::span<const Aabb> boxes, std::span<const std::uint32_t> ids,
                         const BvhBuildOptions& options = {});

}  // namespace chroma2

// The definition of build_bvh(), after the types it uses. Host code only: nvcc's device pass
// sees the declaration alone (it takes no vector extension types, not even in host functions).
#if !CHROMA2_DEVICE_PASS
#include "chroma2/geometry/detail/sah_builder.hpp"
#endif
