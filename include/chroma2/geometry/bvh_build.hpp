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
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <span>
#include <thread>
#include <type_traits>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__SSE2__) && !defined(__CUDA_ARCH__)
#include <emmintrin.h>
#define CHROMA2_BVH_SSE 1
#endif

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

// Four floats for the builder's per-primitive passes: SSE where there is SSE, plain floats
// elsewhere (the same IEEE operations in the same order, so both give the same tree).
#if CHROMA2_BVH_SSE
struct F4 {
  __m128 v;
};
inline F4 f4_load(const float* p) { return {_mm_load_ps(p)}; }
inline F4 f4_set(float a, float b, float c, float d) { return {_mm_setr_ps(a, b, c, d)}; }
inline void f4_store(float* p, F4 a) { _mm_store_ps(p, a.v); }
inline F4 operator+(F4 a, F4 b) { return {_mm_add_ps(a.v, b.v)}; }
inline F4 operator-(F4 a, F4 b) { return {_mm_sub_ps(a.v, b.v)}; }
inline F4 operator*(F4 a, F4 b) { return {_mm_mul_ps(a.v, b.v)}; }
inline F4 f4_min(F4 a, F4 b) { return {_mm_min_ps(a.v, b.v)}; }
inline F4 f4_max(F4 a, F4 b) { return {_mm_max_ps(a.v, b.v)}; }
// lanes 0..2 of a, lane 3 zero
inline F4 f4_xyz(F4 a) {
  return {_mm_and_ps(a.v, _mm_castsi128_ps(_mm_setr_epi32(-1, -1, -1, 0)))};
}
// truncation of each lane (lanes already clamped to [0, bins - 1])
inline void f4_trunc(F4 a, int* out) {
  _mm_store_si128(reinterpret_cast<__m128i*>(out), _mm_cvttps_epi32(a.v));
}
#else
struct F4 {
  float v[4];
};
inline F4 f4_load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
inline F4 f4_set(float a, float b, float c, float d) { return {{a, b, c, d}}; }
inline void f4_store(float* p, F4 a) {
  for (int k = 0; k < 4; ++k) p[k] = a.v[k];
}
#define CHROMA2_F4_OP(name, expr)         \
  inline F4 name(F4 a, F4 b) {            \
    F4 r;                                 \
    for (int k = 0; k < 4; ++k) {         \
      const float x = a.v[k], y = b.v[k]; \
      r.v[k] = (expr);                    \
    }                                     \
    return r;                             \
  }
CHROMA2_F4_OP(operator+, x + y)
CHROMA2_F4_OP(operator-, x - y)
CHROMA2_F4_OP(operator*, x* y)
CHROMA2_F4_OP(f4_min, x < y ? x : y)
CHROMA2_F4_OP(f4_max, x > y ? x : y)
#undef CHROMA2_F4_OP
inline F4 f4_xyz(F4 a) { return {{a.v[0], a.v[1], a.v[2], 0.0f}}; }
inline void f4_trunc(F4 a, int* out) {
  for (int k = 0; k < 4; ++k) out[k] = int(a.v[k]);
}
#endif

// The builder's threads: fire-and-forget tasks (subtrees), and fork-join loops whose caller takes
// part (it claims chunks itself, so a loop never waits on a queued chunk nobody runs).
class BuildPool {
 public:
  explicit BuildPool(unsigned threads) {
    for (unsigned k = 1; k < threads; ++k) workers_.emplace_back([this] { work(); });
  }
  BuildPool(const BuildPool&) = delete;
  BuildPool& operator=(const BuildPool&) = delete;
  ~BuildPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

  void submit(std::function<void()> f) {
    pending_.fetch_add(1);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(f));
    }
    wake_.notify_one();
  }
  // Runs queued tasks on the calling thread too until every submitted one has finished; rethrows
  // the first exception a task threw.
  void wait_all() {
    while (pending_.load() > 0)
      if (!run_one()) std::this_thread::yield();
    if (error_) std::rethrow_exception(error_);
  }
  // f(c) for every c in [0, chunks), on the caller and idle workers.
  template <class F>
  void parallel_for(unsigned chunks, const F& f) {
    if (chunks <= 1 || workers_.empty()) {
      for (unsigned c = 0; c < chunks; ++c) f(c);
      return;
    }
    struct Loop {
      std::atomic<unsigned> next{0}, done{0};
    };
    auto loop = std::make_shared<Loop>();
    const F* fp = &f;
    auto body = [loop, chunks, fp] {
      for (unsigned c; (c = loop->next.fetch_add(1)) < chunks;) {
        (*fp)(c);  // f outlives every claimed chunk: the caller waits for them below
        loop->done.fetch_add(1, std::memory_order_release);
      }
    };
    for (unsigned k = 1; k < std::min<unsigned>(chunks, size()); ++k) submit(body);
    body();
    while (loop->done.load(std::memory_order_acquire) < chunks) std::this_thread::yield();
  }

 private:
  bool run_one() {
    std::function<void()> f;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (queue_.empty()) return false;
      f = std::move(queue_.front());
      queue_.pop_front();
    }
    run(f);
    return true;
  }
  void run(std::function<void()>& f) {
    try {
      f();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    pending_.fetch_sub(1);
  }
  void work() {
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      run(f);
    }
  }

  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::size_t> pending_{0};
  std::exception_ptr error_;
  bool stop_ = false;
};

// Uninitialised scratch arrays of the builder (trivial types). Large ones are 2 MiB aligned and
// asked for transparent huge pages: a 4 M-primitive build otherwise takes ~10^5 page faults.
struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
template <class T>
using ScratchArray = std::unique_ptr<T[], FreeDeleter>;
template <class T>
ScratchArray<T> scratch_array(std::size_t count) {
  static_assert(std::is_trivially_default_constructible_v<T> && alignof(T) <= 64);
  constexpr std::size_t huge = std::size_t(2) << 20;
  std::size_t bytes = std::max<std::size_t>(1, count) * sizeof(T);
  const std::size_t align = bytes >= 4 * huge ? huge : 64;
  bytes = (bytes + align - 1) / align * align;
  void* p = std::aligned_alloc(align, bytes);
  if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (align == huge) (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return ScratchArray<T>(static_cast<T*>(p));
}

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
    BuildPool pool(threads_);
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
    F4 lo, scale;
    F4 centre2(const PrimRef& p) const { return f4_load(p.lo) + f4_xyz(f4_load(p.hi)); }
    void bin(F4 c2, int* k) const {
      const F4 x = f4_min(f4_max((c2 - lo) * scale, f4_set(0, 0, 0, 0)),
                          f4_set(bins - 1, bins - 1, bins - 1, bins - 1));
      f4_trunc(x, k);
    }
  };
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
  };
  // Growing bounds of doubled centroids.
  struct Bounds4 {
    F4 lo = f4_set(Aabb::inf(), Aabb::inf(), Aabb::inf(), 0);
    F4 hi = f4_set(-Aabb::inf(), -Aabb::inf(), -Aabb::inf(), 0);
    void grow(F4 p) { lo = f4_min(lo, p), hi = f4_max(hi, p); }
    void grow(const Bounds4& b) { lo = f4_min(lo, b.lo), hi = f4_max(hi, b.hi); }
    Aabb aabb() const {
      alignas(16) float l[4], h[4];
      f4_store(l, lo);
      f4_store(h, hi);
      return {{l[0], l[1], l[2]}, {h[0], h[1], h[2]}};
    }
  };

  static float half_area(const Bounds4& b) {
    alignas(16) float d[4];
    f4_store(d, b.hi - b.lo);
    return d[0] * d[1] + d[1] * d[2] + d[2] * d[0];
  }

  // Splits r in two; returns the children's ranges.
  std::array<Range, 2> split(const Range& r, int depth) {
    const std::uint32_t n = r.end - r.begin;
    const Vec3 ext = r.cbox.hi - r.cbox.lo;
    const int axis = ext.x >= ext.y && ext.x >= ext.z ? 0 : (ext.y >= ext.z ? 1 : 2);
    PrimRef* a = refs_[r.buf].get();
    if (depth < opt_.median_depth && component(ext, axis) > 0) {
      float scale[3];
      for (int ax = 0; ax < 3; ++ax) {
        const float e = component(ext, ax);
        scale[ax] = e > 0 ? bins * (1 - 1e-6f) / e : 0;
      }
      const Binner bn{f4_set(r.cbox.lo.x, r.cbox.lo.y, r.cbox.lo.z, 0),
                      f4_set(scale[0], scale[1], scale[2], 0)};
      auto bin_range = [&](std::uint32_t from, std::uint32_t to, BinSet& s) {
        for (std::uint32_t i = from; i < to; ++i) {
          const PrimRef& p = a[i];
          const F4 l = f4_load(p.lo), h = f4_xyz(f4_load(p.hi));
          alignas(16) int k[4];
          bn.bin(l + h, k);
          for (int ax = 0; ax < 3; ++ax) {
            float* bl = s.lo[ax][k[ax]];
            float* bh = s.hi[ax][k[ax]];
            f4_store(bl, f4_min(f4_load(bl), l));
            f4_store(bh, f4_max(f4_load(bh), h));
            ++s.count[ax][k[ax]];
          }
        }
      };
      BinSet b;
      const unsigned chunks = chunks_for(n);
      if (chunks == 1) {
        bin_range(r.begin, r.end, b);
      } else {  // large nodes near the root: bin in parallel, then merge
        std::vector<BinSet> part(chunks);
        pool_->parallel_for(chunks, [&](unsigned c) {
          BinSet local;
          bin_range(cut(r.begin, n, c, chunks), cut(r.begin, n, c + 1, chunks), local);
          part[c] = local;
        });
        for (const BinSet& p : part)
          for (int ax = 0; ax < 3; ++ax)
            for (int k = 0; k < bins; ++k) {
              for (int j = 0; j < 4; ++j) {
                b.lo[ax][k][j] = std::min(b.lo[ax][k][j], p.lo[ax][k][j]);
                b.hi[ax][k][j] = std::max(b.hi[ax][k][j], p.hi[ax][k][j]);
              }
              b.count[ax][k] += p.count[ax][k];
            }
      }
      // SAH sweep over the non-empty bins only (empty ones change neither side: the same split)
      float best_cost = std::numeric_limits<float>::infinity();
      int best_axis = -1, best_bin = 0;
      for (int ax = 0; ax < 3; ++ax) {
        if (scale[ax] == 0) continue;
        int used[bins], m = 0;
        for (int k = 0; k < bins; ++k)
          if (b.count[ax][k]) used[m++] = k;
        float right_cost[bins];
        Bounds4 acc;
        std::uint32_t cnt = 0;
        for (int j = m - 1; j > 0; --j) {
          acc.grow(f4_load(b.lo[ax][used[j]]));
          acc.grow(f4_load(b.hi[ax][used[j]]));
          cnt += b.count[ax][used[j]];
          right_cost[j] = half_area(acc) * float(cnt);
        }
        acc = Bounds4{};
        cnt = 0;
        for (int j = 0; j < m - 1; ++j) {
          acc.grow(f4_load(b.lo[ax][used[j]]));
          acc.grow(f4_load(b.hi[ax][used[j]]));
          cnt += b.count[ax][used[j]];
          const float cost = half_area(acc) * float(cnt) + right_cost[j + 1];
          if (cost < best_cost) {
            best_cost = cost;
            best_axis = ax;
            best_bin = used[j];
          }
        }
      }
      if (best_axis >= 0) {
        const int ax = best_axis;
        std::array<Range, 2> child = partition(r, bn, ax, best_bin);
        // the children's boxes are the unions of their bins' boxes: no pass over them
        for (int k = 0; k < bins; ++k) child[k <= best_bin ? 0 : 1].box.grow(b.box(ax, k));
        if (child[0].end > r.begin && child[0].end < r.end) return child;
      }
    }
    // object median along the widest centroid axis (equal centroids: any half will do)
    const std::uint32_t m = r.begin + n / 2;
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
    auto side = [&](const PrimRef& p, F4& c2) {
      c2 = bn.centre2(p);
      alignas(16) int k[4];
      bn.bin(c2, k);
      return k[ax] <= last;
    };
    if (chunks == 1) {
      PrimRef* a = refs_[r.buf].get();
      std::uint32_t i = r.begin, j = r.end;
      Bounds4 cl, cr;
      F4 c2;
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
      F4 c2;
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
      F4 c2;
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
  BuildPool* pool_ = nullptr;
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
