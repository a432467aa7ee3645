// SPDX-License-Identifier: BSD-3-Clause
// BinnedSahBuilder: the host BVH builder behind build_bvh(), binned SAH (Wald 2007) over primitive
// boxes, subtrees built on several threads, emitting the binary BvhNode format. It bounds the depth
// (object-median splits deep down) so the traversal's fixed stack always suffices.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/core/invalid_index.hpp"
#include "chroma2/geometry/bvh_build.hpp"
#include "chroma2/geometry/bvh_node.hpp"
#include "chroma2/geometry/detail/huge_pages.hpp"
#include "chroma2/geometry/detail/simd.hpp"
#include "chroma2/geometry/detail/thread_pool.hpp"
#include "chroma2/geometry/detail/traverse.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace chroma2 {
namespace detail {

class BinnedSahBuilder {
 public:
  static constexpr int bins = 16;

  BinnedSahBuilder(std::span<const Aabb> boxes, std::span<const std::uint32_t> ids,
                   const BvhBuildOptions& opt)
      : boxes_(boxes), ids_(ids), opt_(opt) {
    const unsigned hw =
        opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
    threads_ = ids.size() < parallel_pass_min ? 1u : hw;  // small trees: no threads at all
  }

  BvhBuildOutput run() {
    const auto n = static_cast<std::uint32_t>(ids_.size());
    ThreadPool pool(threads_);
    pool_ = &pool;
    // one primitive record (box and id, 32 bytes) per primitive, partitioned in place: the passes
    // read contiguous memory, never boxes through an index
    refs_[0] = scratch_array<PrimRef>(n);
    if (threads_ > 1 && n >= parallel_pass_min) refs_[1] = scratch_array<PrimRef>(n);
    nodes_ = scratch_array<BvhNode>(n);  // at most n - 1 inner nodes
    out_.order.resize(n);
    next_node_ = 1;
    BvhNode& root = nodes_[0];
    root.set_empty(0);
    root.set_empty(1);
    if (n > 0) {
      const Range all = fill(n);
      if (n <= static_cast<std::uint32_t>(opt_.max_leaf_size)) {
        emit_leaf(0, 0, all);
      } else {
        note_depth(build(0, all, 1));
      }
    }
    pool.wait_all();
    const std::uint32_t count = next_node_.load();
    out_.nodes.assign(nodes_.get(), nodes_.get() + count);
    out_.depth = max_depth_.load();
    return std::move(out_);
  }

 private:
  struct alignas(16) PrimRef {  // 32 bytes; lo[3] is 0
    float lo[4];
    float hi[3];
    std::uint32_t id;
  };
  // Centroid bounds are kept doubled (lo + hi of each box), which bins the same as the centre.
  struct Range {
    std::uint32_t begin, end;
    Aabb box, cbox;  // primitive bounds and doubled-centroid bounds
    int buf;         // which of refs_ holds this range
  };

  static Aabb box_of(const PrimRef& p) {
    return {{p.lo[0], p.lo[1], p.lo[2]}, {p.hi[0], p.hi[1], p.hi[2]}};
  }
  static Vec3 centre2(const PrimRef& p) {
    return {p.lo[0] + p.hi[0], p.lo[1] + p.hi[1], p.lo[2] + p.hi[2]};
  }

  // Threads for one pass over n primitives: all of them near the root, one deeper down.
  unsigned chunks_for(std::uint32_t n) const {
    if (threads_ == 1 || n < parallel_pass_min) return 1;
    return std::max(1u, std::min(threads_, n / chunk_min));
  }
  static std::uint32_t cut(std::uint32_t b, std::uint32_t n, unsigned c, unsigned chunks) {
    return b + std::uint32_t(std::uint64_t(n) * c / chunks);
  }

  // Fills refs_[0] from the ids; returns the root range.
  Range fill(std::uint32_t n) {
    const unsigned chunks = chunks_for(n);
    std::vector<Range> part(chunks);
    PrimRef* a = refs_[0].get();
    pool_->parallel_for(chunks, [&](unsigned c) {
      Range r{cut(0, n, c, chunks), cut(0, n, c + 1, chunks), {}, {}, 0};
      for (std::uint32_t i = r.begin; i < r.end; ++i) {
        const std::uint32_t id = ids_[i];
        const Aabb& b = boxes_[id];
        a[i] = {{b.lo.x, b.lo.y, b.lo.z, 0.0f}, {b.hi.x, b.hi.y, b.hi.z}, id};
        r.box.grow(b);
        r.cbox.grow(b.lo + b.hi);
      }
      part[c] = r;
    });
    Range r{0, n, {}, {}, 0};
    for (const Range& p : part) r.box.grow(p.box), r.cbox.grow(p.cbox);
    return r;
  }

  // Bounds of refs_[buf][b, e).
  Range measure(std::uint32_t b, std::uint32_t e, int buf) {
    const std::uint32_t n = e - b;
    const unsigned chunks = chunks_for(n);
    std::vector<Range> part(chunks);
    const PrimRef* a = refs_[buf].get();
    pool_->parallel_for(chunks, [&](unsigned c) {
      Range r{cut(b, n, c, chunks), cut(b, n, c + 1, chunks), {}, {}, buf};
      for (std::uint32_t i = r.begin; i < r.end; ++i) {
        r.box.grow(box_of(a[i]));
        r.cbox.grow(centre2(a[i]));
      }
      part[c] = r;
    });
    Range r{b, e, {}, {}, buf};
    for (const Range& p : part) r.box.grow(p.box), r.cbox.grow(p.cbox);
    return r;
  }

  // Bin index of a primitive's doubled centroid on each axis (lane 3: unused), and that centroid.
  struct Binner {
    SimdFloat4 lo, scale;
    float axis_scale[3];  // scale's lanes 0..2; 0 where the centroids have no extent

    explicit Binner(const Range& r) {
      const Vec3 ext = r.cbox.hi - r.cbox.lo;
      for (int ax = 0; ax < 3; ++ax) {
        const float e = component(ext, ax);
        axis_scale[ax] = e > 0 ? bins * (1 - 1e-6f) / e : 0;
      }
      lo = simd_set(r.cbox.lo.x, r.cbox.lo.y, r.cbox.lo.z, 0);
      scale = simd_set(axis_scale[0], axis_scale[1], axis_scale[2], 0);
    }
    SimdFloat4 centre2(const PrimRef& p) const {
      return simd_load(p.lo) + simd_xyz(simd_load(p.hi));
    }
    void bin(SimdFloat4 c2, int* k) const {
      const SimdFloat4 x = simd_min(simd_max((c2 - lo) * scale, simd_set(0, 0, 0, 0)),
                                    simd_set(bins - 1, bins - 1, bins - 1, bins - 1));
      simd_trunc(x, k);
    }
  };
  // Per axis and bin: the bounds of the primitives whose centroids fall in it, and their count.
  struct alignas(16) BinSet {
    float lo[3][bins][4], hi[3][bins][4];
    std::uint32_t count[3][bins];
    BinSet() {
      for (int ax = 0; ax < 3; ++ax)
        for (int k = 0; k < bins; ++k) {
          for (int j = 0; j < 4; ++j) lo[ax][k][j] = Aabb::inf(), hi[ax][k][j] = -Aabb::inf();
          count[ax][k] = 0;
        }
    }
    Aabb box(int ax, int k) const {
      return {{lo[ax][k][0], lo[ax][k][1], lo[ax][k][2]},
              {hi[ax][k][0], hi[ax][k][1], hi[ax][k][2]}};
    }
    void merge(const BinSet& p) {
      for (int ax = 0; ax < 3; ++ax)
        for (int k = 0; k < bins; ++k) {
          for (int j = 0; j < 4; ++j) {
            lo[ax][k][j] = std::min(lo[ax][k][j], p.lo[ax][k][j]);
            hi[ax][k][j] = std::max(hi[ax][k][j], p.hi[ax][k][j]);
          }
          count[ax][k] += p.count[ax][k];
        }
    }
  };
  // Growing bounds of doubled centroids.
  struct Bounds4 {
    SimdFloat4 lo = simd_set(Aabb::inf(), Aabb::inf(), Aabb::inf(), 0);
    SimdFloat4 hi = simd_set(-Aabb::inf(), -Aabb::inf(), -Aabb::inf(), 0);
    void grow(SimdFloat4 p) { lo = simd_min(lo, p), hi = simd_max(hi, p); }
    void grow(const Bounds4& b) { lo = simd_min(lo, b.lo), hi = simd_max(hi, b.hi); }
    Aabb aabb() const {
      alignas(16) float l[4], h[4];
      simd_store(l, lo);
      simd_store(h, hi);
      return {{l[0], l[1], l[2]}, {h[0], h[1], h[2]}};
    }
  };
  // The cheapest SAH split: left are the bins <= bin on axis; axis < 0 where there is none.
  struct SahChoice {
    int axis = -1, bin = 0;
  };

  static float half_area(const Bounds4& b) {
    alignas(16) float d[4];
    simd_store(d, b.hi - b.lo);
    return d[0] * d[1] + d[1] * d[2] + d[2] * d[0];
  }

  // Splits r in two: at the cheapest SAH bin boundary near the root, at the object median deep
  // down or where SAH finds no split; returns the children's ranges.
  std::array<Range, 2> split(const Range& r, int depth) {
    const Vec3 ext = r.cbox.hi - r.cbox.lo;
    const int axis = ext.x >= ext.y && ext.x >= ext.z ? 0 : (ext.y >= ext.z ? 1 : 2);
    if (depth < opt_.median_depth && component(ext, axis) > 0) {
      const Binner bn(r);
      const BinSet binned = bin(r, bn);
      const SahChoice best = sah_sweep(binned, bn);
      if (best.axis >= 0) {
        std::array<Range, 2> child = partition(r, bn, best.axis, best.bin);
        // the children's boxes are the unions of their bins' boxes: no pass over them
        for (int k = 0; k < bins; ++k)
          child[k <= best.bin ? 0 : 1].box.grow(binned.box(best.axis, k));
        if (child[0].end > r.begin && child[0].end < r.end) return child;
      }
    }
    return median_split(r, axis);
  }

  // Bins the primitives of r on all three axes; large nodes near the root in parallel, merged.
  BinSet bin(const Range& r, const Binner& bn) {
    const std::uint32_t n = r.end - r.begin;
    const PrimRef* a = refs_[r.buf].get();
    auto bin_range = [&](std::uint32_t from, std::uint32_t to, BinSet& s) {
      for (std::uint32_t i = from; i < to; ++i) {
        const PrimRef& p = a[i];
        const SimdFloat4 l = simd_load(p.lo), h = simd_xyz(simd_load(p.hi));
        alignas(16) int k[4];
        bn.bin(l + h, k);
        for (int ax = 0; ax < 3; ++ax) {
          float* bl = s.lo[ax][k[ax]];
          float* bh = s.hi[ax][k[ax]];
          simd_store(bl, simd_min(simd_load(bl), l));
          simd_store(bh, simd_max(simd_load(bh), h));
          ++s.count[ax][k[ax]];
        }
      }
    };
    BinSet b;
    const unsigned chunks = chunks_for(n);
    if (chunks == 1) {
      bin_range(r.begin, r.end, b);
      return b;
    }
    std::vector<BinSet> part(chunks);
    pool_->parallel_for(chunks, [&](unsigned c) {
      BinSet local;
      bin_range(cut(r.begin, n, c, chunks), cut(r.begin, n, c + 1, chunks), local);
      part[c] = local;
    });
    for (const BinSet& p : part) b.merge(p);
    return b;
  }

  // SAH sweep over the non-empty bins only (empty ones change neither side: the same split).
  static SahChoice sah_sweep(const BinSet& b, const Binner& bn) {
    float best_cost = std::numeric_limits<float>::infinity();
    SahChoice best;
    for (int ax = 0; ax < 3; ++ax) {
      if (bn.axis_scale[ax] == 0) continue;
      int used[bins], m = 0;
      for (int k = 0; k < bins; ++k)
        if (b.count[ax][k]) used[m++] = k;
      float right_cost[bins];
      Bounds4 acc;
      std::uint32_t cnt = 0;
      for (int j = m - 1; j > 0; --j) {
        acc.grow(simd_load(b.lo[ax][used[j]]));
        acc.grow(simd_load(b.hi[ax][used[j]]));
        cnt += b.count[ax][used[j]];
        right_cost[j] = half_area(acc) * float(cnt);
      }
      acc = Bounds4{};
      cnt = 0;
      for (int j = 0; j < m - 1; ++j) {
        acc.grow(simd_load(b.lo[ax][used[j]]));
        acc.grow(simd_load(b.hi[ax][used[j]]));
        cnt += b.count[ax][used[j]];
        const float cost = half_area(acc) * float(cnt) + right_cost[j + 1];
        if (cost < best_cost) {
          best_cost = cost;
          best.axis = ax;
          best.bin = used[j];
        }
      }
    }
    return best;
  }

  // The object median along the widest centroid axis (equal centroids: any half will do).
  std::array<Range, 2> median_split(const Range& r, int axis) {
    PrimRef* a = refs_[r.buf].get();
    const std::uint32_t m = r.begin + (r.end - r.begin) / 2;
    std::nth_element(a + r.begin, a + m, a + r.end, [&](const PrimRef& x, const PrimRef& y) {
      return component(centre2(x), axis) < component(centre2(y), axis);
    });
    return {measure(r.begin, m, r.buf), measure(m, r.end, r.buf)};
  }

  // Partitions r by the bin on axis ax (left: bin <= last), in place on one thread; on several,
  // scattered into the other buffer (count, then scatter: stable by chunk). The centroid bounds
  // of both sides come along; the boxes are left empty.
  std::array<Range, 2> partition(const Range& r, const Binner& bn, int ax, int last) {
    const std::uint32_t n = r.end - r.begin;
    const unsigned chunks = chunks_for(n);
    std::array<Range, 2> child{Range{r.begin, r.begin, {}, {}, r.buf},
                               Range{r.begin, r.end, {}, {}, r.buf}};
    auto side = [&](const PrimRef& p, SimdFloat4& c2) {
      c2 = bn.centre2(p);
      alignas(16) int k[4];
      bn.bin(c2, k);
      return k[ax] <= last;
    };
    if (chunks == 1) {
      PrimRef* a = refs_[r.buf].get();
      std::uint32_t i = r.begin, j = r.end;
      Bounds4 cl, cr;
      SimdFloat4 c2;
      for (;;) {
        while (i < j && side(a[i], c2)) cl.grow(c2), ++i;
        while (i < j && !side(a[j - 1], c2)) cr.grow(c2), --j;
        if (i >= j) break;
        std::swap(a[i], a[j - 1]);
        cl.grow(bn.centre2(a[i++]));
        cr.grow(bn.centre2(a[--j]));
      }
      child[0].end = child[1].begin = i;
      child[0].cbox = cl.aabb();
      child[1].cbox = cr.aabb();
      return child;
    }
    const PrimRef* a = refs_[r.buf].get();
    PrimRef* to = refs_[1 - r.buf].get();
    struct Part {
      std::uint32_t lefts = 0;
      Bounds4 cl, cr;
    };
    std::vector<Part> part(chunks);
    pool_->parallel_for(chunks, [&](unsigned c) {
      Part p;
      SimdFloat4 c2;
      for (std::uint32_t i = cut(r.begin, n, c, chunks); i < cut(r.begin, n, c + 1, chunks); ++i)
        if (side(a[i], c2))
          ++p.lefts, p.cl.grow(c2);
        else
          p.cr.grow(c2);
      part[c] = p;
    });
    std::uint32_t total_left = 0;
    for (const Part& p : part) total_left += p.lefts;
    pool_->parallel_for(chunks, [&](unsigned c) {
      std::uint32_t l = r.begin, rr = r.begin + total_left;
      for (unsigned k = 0; k < c; ++k)
        l += part[k].lefts,
            rr += (cut(r.begin, n, k + 1, chunks) - cut(r.begin, n, k, chunks)) - part[k].lefts;
      SimdFloat4 c2;
      for (std::uint32_t i = cut(r.begin, n, c, chunks); i < cut(r.begin, n, c + 1, chunks); ++i)
        to[side(a[i], c2) ? l++ : rr++] = a[i];
    });
    for (auto& ch : child) ch.buf = 1 - r.buf;
    child[0].end = child[1].begin = r.begin + total_left;
    Bounds4 cl, cr;
    for (const Part& p : part) cl.grow(p.cl), cr.grow(p.cr);
    child[0].cbox = cl.aabb();
    child[1].cbox = cr.aabb();
    return child;
  }

  void emit_leaf(std::uint32_t node, int k, const Range& c) {
    nodes_[node].set_child(k, c.box, c.begin, c.end - c.begin);
    const PrimRef* a = refs_[c.buf].get();
    for (std::uint32_t i = c.begin; i < c.end; ++i) out_.order[i] = a[i].id;
  }

  void note_depth(int depth) {
    int seen = max_depth_.load(std::memory_order_relaxed);
    while (depth > seen && !max_depth_.compare_exchange_weak(seen, depth)) {
    }
  }

  // Builds the subtree of r under `node`; returns its deepest depth (subtrees handed to other
  // threads report theirs themselves).
  int build(std::uint32_t node, const Range& r, int depth) {
    if (depth >= bvh_stack_size - 1)
      fail("BVH deeper than the traversal stack allows (" + std::to_string(depth) + ")",
           "the median fallback should have bounded the depth", "report this as a bug");
    const std::array<Range, 2> child = split(r, depth);
    const auto leaf_max = static_cast<std::uint32_t>(opt_.max_leaf_size);
    const bool inner[2] = {child[0].end - child[0].begin > leaf_max,
                           child[1].end - child[1].begin > leaf_max};
    std::uint32_t id = inner[0] || inner[1]
                           ? next_node_.fetch_add(inner[0] + inner[1], std::memory_order_relaxed)
                           : 0;
    std::uint32_t at[2] = {invalid_index, invalid_index};
    for (int k = 0; k < 2; ++k) {
      if (!inner[k]) {
        emit_leaf(node, k, child[k]);
      } else {
        at[k] = id++;
        nodes_[node].set_child(k, child[k].box, at[k], 0);
      }
    }
    int deepest = depth;
    for (int k = 0; k < 2; ++k) {
      if (!inner[k]) continue;
      if (threads_ > 1 && child[k].end - child[k].begin > task_min && k == 0 && inner[1]) {
        pool_->submit(
            [this, c = child[k], i = at[k], depth] { note_depth(build(i, c, depth + 1)); });
      } else {
        deepest = std::max(deepest, build(at[k], child[k], depth + 1));
      }
    }
    return deepest;
  }

  std::span<const Aabb> boxes_;
  std::span<const std::uint32_t> ids_;
  BvhBuildOptions opt_;
  unsigned threads_ = 1;
  ThreadPool* pool_ = nullptr;
  ScratchArray<PrimRef> refs_[2];
  ScratchArray<BvhNode> nodes_;
  BvhBuildOutput out_;
  alignas(64) std::atomic<std::uint32_t> next_node_{1};
  alignas(64) std::atomic<int> max_depth_{1};
  static constexpr std::uint32_t parallel_pass_min = 1u << 16;  // parallel passes from here up
  static constexpr std::uint32_t chunk_min = 1u << 15;          // primitives per pass chunk
  static constexpr std::uint32_t task_min = 4096;  // subtrees above this go to the pool
};

}  // namespace detail

// build_bvh() is declared in geometry/bvh_build.hpp; its definition needs the builder above.
inline BvhBuildOutput build_bvh(std::span<const Aabb> boxes, std::span<const std::uint32_t> ids,
                                const BvhBuildOptions& options) {
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
