// SPDX-License-Identifier: BSD-3-Clause
// Host BVH builder: binned SAH (Wald 2007) over primitive boxes, subtrees built on several threads,
// emitting the binary BvhNode format. It bounds the depth (object-median splits deep down) so the
// traversal's fixed stack always suffices. Used for both levels: triangles and placements.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/geometry/bvh_node.hpp"
#include "chroma2/geometry/detail/traverse.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <thread>
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

namespace detail {

class BinnedSahBuilder {
 public:
  static constexpr int bins = 16;

  BinnedSahBuilder(std::span<const Aabb> boxes, std::span<const std::uint32_t> ids,
                   const BvhBuildOptions& opt)
      : boxes_(boxes), opt_(opt) {
    out_.order.assign(ids.begin(), ids.end());
    centroids_.resize(boxes.size());
    for (std::uint32_t id : ids) centroids_[id] = boxes[id].centre();
    const std::size_t n = ids.size();
    out_.nodes.resize(std::max<std::size_t>(1, n));
    unsigned hw = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    spare_threads_ = static_cast<int>(hw) - 1;
    hardware_threads_ = hw;
  }

  BvhBuildOutput run() {
    const auto n = static_cast<std::uint32_t>(out_.order.size());
    next_node_ = 1;
    BvhNode& root = out_.nodes[0];
    root.set_empty(0);
    root.set_empty(1);
    if (n > 0) {
      Range all = measure(0, n);
      if (n <= static_cast<std::uint32_t>(opt_.max_leaf_size)) {
        root.set_child(0, all.box, 0, n);
      } else {
        build(0, all, 1);
      }
    }
    out_.nodes.resize(next_node_.load());
    out_.depth = max_depth_.load();
    return std::move(out_);
  }

 private:
  struct Range {
    std::uint32_t begin, end;
    Aabb box, cbox;  // primitive bounds and centroid bounds
  };

  // Stable-by-chunk partition of order[b, e): in parallel for large ranges (count, prefix sum,
  // scatter to a scratch array, copy back). Returns the first index of the right side.
  template <class Pred>
  std::uint32_t partition(std::uint32_t b, std::uint32_t e, Pred left) {
    std::uint32_t* o = out_.order.data();
    const std::uint32_t n = e - b;
    const unsigned chunks = chunks_for(n);
    if (chunks == 1) return static_cast<std::uint32_t>(std::partition(o + b, o + e, left) - o);
    auto lo = [&](unsigned c) { return b + std::uint32_t(std::uint64_t(n) * c / chunks); };
    std::vector<std::uint32_t> lefts(chunks), scratch(n);
    auto run = [&](auto&& f) {
      std::vector<std::thread> pool;
      for (unsigned c = 0; c < chunks; ++c) pool.emplace_back(f, c);
      for (auto& t : pool) t.join();
    };
    run([&](unsigned c) {
      std::uint32_t k = 0;
      for (std::uint32_t i = lo(c); i < lo(c + 1); ++i) k += left(o[i]) ? 1u : 0u;
      lefts[c] = k;
    });
    std::uint32_t total_left = 0;
    for (auto k : lefts) total_left += k;
    run([&](unsigned c) {
      std::uint32_t l = 0, r = total_left;
      for (unsigned k = 0; k < c; ++k) l += lefts[k], r += (lo(k + 1) - lo(k)) - lefts[k];
      for (std::uint32_t i = lo(c); i < lo(c + 1); ++i) scratch[left(o[i]) ? l++ : r++] = o[i];
    });
    run([&](unsigned c) {
      std::copy(scratch.begin() + (lo(c) - b), scratch.begin() + (lo(c + 1) - b), o + lo(c));
    });
    return b + total_left;
  }

  // Threads for one pass over n primitives: all of them near the root, one deeper down.
  unsigned chunks_for(std::uint32_t n) const {
    if (n < parallel_pass_min) return 1;
    return std::max(1u, std::min(hardware_threads_, n / (parallel_pass_min / 2)));
  }

  Range measure(std::uint32_t b, std::uint32_t e) const {
    auto pass = [&](std::uint32_t from, std::uint32_t to) {
      Range r{from, to, {}, {}};
      for (std::uint32_t i = from; i < to; ++i) {
        const std::uint32_t id = out_.order[i];
        r.box.grow(boxes_[id]);
        r.cbox.grow(centroids_[id]);
      }
      return r;
    };
    const std::uint32_t n = e - b;
    const unsigned chunks = chunks_for(n);
    if (chunks == 1) return pass(b, e);
    std::vector<Range> part(chunks);
    std::vector<std::thread> pool;
    for (unsigned c = 0; c < chunks; ++c)
      pool.emplace_back([&, c] {
        part[c] = pass(b + std::uint32_t(std::uint64_t(n) * c / chunks),
                       b + std::uint32_t(std::uint64_t(n) * (c + 1) / chunks));
      });
    for (auto& t : pool) t.join();
    Range r{b, e, {}, {}};
    for (const Range& p : part) r.box.grow(p.box), r.cbox.grow(p.cbox);
    return r;
  }

  // Splits r in two (partitioning order[r.begin, r.end)); returns the boundary.
  std::uint32_t split(const Range& r, int depth) {
    const std::uint32_t n = r.end - r.begin;
    const Vec3 ext = r.cbox.hi - r.cbox.lo;
    int axis = ext.x >= ext.y && ext.x >= ext.z ? 0 : (ext.y >= ext.z ? 1 : 2);
    std::uint32_t* o = out_.order.data();
    if (depth < opt_.median_depth && component(ext, axis) > 0) {
      struct Bin {
        Aabb box;
        std::uint32_t count = 0;
      };
      Bin b[3][bins];
      float scale[3], lo[3];
      for (int a = 0; a < 3; ++a) {
        const float e = component(ext, a);
        lo[a] = component(r.cbox.lo, a);
        scale[a] = e > 0 ? bins * (1 - 1e-6f) / e : 0;
      }
      auto bin_range = [&](std::uint32_t from, std::uint32_t to, Bin(*out)[bins]) {
        for (std::uint32_t i = from; i < to; ++i) {
          const std::uint32_t id = o[i];
          const Vec3 c = centroids_[id];
          for (int a = 0; a < 3; ++a) {
            const int k = std::clamp(int((component(c, a) - lo[a]) * scale[a]), 0, bins - 1);
            out[a][k].box.grow(boxes_[id]);
            ++out[a][k].count;
          }
        }
      };
      const unsigned chunks = chunks_for(n);
      if (chunks == 1) {
        bin_range(r.begin, r.end, b);
      } else {  // large nodes near the root: bin in parallel, then merge
        std::vector<std::array<std::array<Bin, bins>, 3>> part(chunks);
        std::vector<std::thread> pool;
        for (unsigned c = 0; c < chunks; ++c)
          pool.emplace_back([&, c] {
            Bin local[3][bins];
            bin_range(r.begin + std::uint32_t(std::uint64_t(n) * c / chunks),
                      r.begin + std::uint32_t(std::uint64_t(n) * (c + 1) / chunks), local);
            for (int a = 0; a < 3; ++a)
              for (int k = 0; k < bins; ++k) part[c][a][k] = local[a][k];
          });
        for (auto& t : pool) t.join();
        for (unsigned c = 0; c < chunks; ++c)
          for (int a = 0; a < 3; ++a)
            for (int k = 0; k < bins; ++k) {
              b[a][k].box.grow(part[c][a][k].box);
              b[a][k].count += part[c][a][k].count;
            }
      }
      float best_cost = std::numeric_limits<float>::infinity();
      int best_axis = -1, best_bin = 0;
      for (int a = 0; a < 3; ++a) {
        if (scale[a] == 0) continue;
        float right_cost[bins];
        Aabb acc;
        std::uint32_t cnt = 0;
        for (int k = bins - 1; k > 0; --k) {
          acc.grow(b[a][k].box);
          cnt += b[a][k].count;
          right_cost[k] = acc.half_area() * float(cnt);
        }
        acc = Aabb{};
        cnt = 0;
        for (int k = 0; k < bins - 1; ++k) {
          acc.grow(b[a][k].box);
          cnt += b[a][k].count;
          const float cost = acc.half_area() * float(cnt) + right_cost[k + 1];
          if (cnt > 0 && cnt < n && cost < best_cost) {
            best_cost = cost;
            best_axis = a;
            best_bin = k;
          }
        }
      }
      if (best_axis >= 0) {
        const int a = best_axis;
        const float l = lo[a], s = scale[a];
        const std::uint32_t m = partition(r.begin, r.end, [&](std::uint32_t id) {
          return std::clamp(int((component(centroids_[id], a) - l) * s), 0, bins - 1) <= best_bin;
        });
        if (m > r.begin && m < r.end) return m;
      }
    }
    // object median along the widest centroid axis (equal centroids: any half will do)
    const std::uint32_t m = r.begin + n / 2;
    std::nth_element(o + r.begin, o + m, o + r.end, [&](std::uint32_t x, std::uint32_t y) {
      return component(centroids_[x], axis) < component(centroids_[y], axis);
    });
    return m;
  }

  void build(std::uint32_t node, const Range& r, int depth) {
    int seen = max_depth_.load(std::memory_order_relaxed);
    while (depth > seen && !max_depth_.compare_exchange_weak(seen, depth)) {
    }
    if (depth >= bvh_stack_size - 1)
      fail("BVH deeper than the traversal stack allows (" + std::to_string(depth) + ")",
           "the median fallback should have bounded the depth", "report this as a bug");
    const std::uint32_t m = split(r, depth);
    const Range child[2] = {measure(r.begin, m), measure(m, r.end)};
    std::uint32_t inner[2] = {invalid_child, invalid_child};
    for (int k = 0; k < 2; ++k) {
      const std::uint32_t cnt = child[k].end - child[k].begin;
      if (cnt <= static_cast<std::uint32_t>(opt_.max_leaf_size)) {
        out_.nodes[node].set_child(k, child[k].box, child[k].begin, cnt);
      } else {
        inner[k] = next_node_.fetch_add(1, std::memory_order_relaxed);
        out_.nodes[node].set_child(k, child[k].box, inner[k], 0);
      }
    }
    std::thread helper;
    if (inner[0] != invalid_child && inner[1] != invalid_child &&
        child[0].end - child[0].begin > 20000 && take_thread()) {
      helper = std::thread([this, c = child[0], i = inner[0], depth] {
        build(i, c, depth + 1);
        spare_threads_.fetch_add(1);
      });
      inner[0] = invalid_child;
    }
    for (int k = 0; k < 2; ++k)
      if (inner[k] != invalid_child) build(inner[k], child[k], depth + 1);
    if (helper.joinable()) helper.join();
  }

  bool take_thread() {
    int s = spare_threads_.load();
    while (s > 0)
      if (spare_threads_.compare_exchange_weak(s, s - 1)) return true;
    return false;
  }

  std::span<const Aabb> boxes_;
  BvhBuildOptions opt_;
  std::vector<Vec3> centroids_;
  BvhBuildOutput out_;
  std::atomic<std::uint32_t> next_node_{1};
  std::atomic<int> max_depth_{1};
  std::atomic<int> spare_threads_{0};
  unsigned hardware_threads_ = 1;
  static constexpr std::uint32_t parallel_pass_min = 1u << 18;
};

}  // namespace detail

// Builds a BVH over the primitives `ids` (indices into boxes; others are left out).
inline BvhBuildOutput build_bvh(std::span<const Aabb> boxes, std::span<const std::uint32_t> ids,
                                const BvhBuildOptions& options = {}) {
  if (options.max_leaf_size < 1 || options.max_leaf_size > 64)
    fail("invalid BVH leaf size " + std::to_string(options.max_leaf_size), "it must be in 1..64",
         "pass a leaf size such as 4");
  for (std::uint32_t id : ids)
    if (id >= boxes.size())
      fail("BVH primitive id " + std::to_string(id) + " is out of range",
           "there are " + std::to_string(boxes.size()) + " boxes", "pass ids below that");
  return detail::BinnedSahBuilder(boxes, ids, options).run();
}

}  // namespace chroma2
