// SPDX-License-Identifier: BSD-3-Clause
// DeviceRing<T>: a bounded lock-free multi-producer multi-consumer ring of small trivially
// copyable items (photon slot indices). DeviceRing is the host owner (RAII, move-only, memory
// space as a parameter); DeviceRingRef is the trivially copyable handle that kernels and worker
// threads use. See docs/device_ring.md for the protocol and its proof obligations.
//
// Protocol, per claim of k items by a group (a warp, a host thread playing 32 lanes, or a lone
// thread):
//   push: reserve space: seen = free.load(); ask = min(k, seen) (0 if seen <= 0);
//         old = free.fetch_sub(ask); granted = clamp(old, 0, ask); the overshoot
//         ask - granted goes back with free.fetch_add. Positions p = tail.fetch_add(granted).
//         For each p: wait until seq[p & mask] == p (acquire: the slot's previous reader is
//         done), write the item, seq = p + 1 (release: published). Then items.fetch_add(granted).
//   pop:  reserve items from `items` the same way, positions from head.fetch_add; for each p:
//         wait until seq[p & mask] == p + 1 (acquire), read, seq = p + capacity (release: free
//         for the next lap). Then free.fetch_add(granted).
// Credits guarantee the waits are short (the peer that owns the slot is already inside its own
// claim); positions are 64-bit and never wrap within a lap, so a reader never sees an unwritten
// slot and a writer never overwrites an unread one. A full ring grants what fits (possibly 0);
// an empty ring pops 0 without blocking. No CAS loops; device-scope atomics.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/error.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/core/detail/backoff.hpp"
#include "chroma2/core/detail/credits.hpp"
#include "chroma2/core/detail/padded_counter.hpp"
#include "chroma2/core/group.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace chroma2 {

inline constexpr std::uint64_t ring_max_capacity = std::uint64_t(1) << 30;

namespace detail {
// Counters, each on its own line so producers and consumers do not share lines.
struct RingCounters {
  PaddedCounter tail;   // next push position (as uint64)
  PaddedCounter head;   // next pop position (as uint64)
  PaddedCounter free;   // slots that may be claimed by producers
  PaddedCounter items;  // published items that may be claimed by consumers
};
}  // namespace detail

template <class T>
class DeviceRingRef {
  static_assert(std::is_trivially_copyable_v<T>, "ring items must be trivially copyable");

 public:
  using value_type = T;

  T* slots;
  std::uint32_t* seq;  // per slot: 2 x lap (free for the lap's writer), 2 x lap + 1 (full)
  detail::RingCounters* counters;
  std::uint64_t mask;       // capacity - 1
  std::uint32_t lap_shift;  // log2(capacity): the lap of position p is p >> lap_shift
  bool poison;              // overwrite each slot with poison_value after it is read (tests)
  T poison_value;

  CHROMA2_HD std::uint64_t capacity() const { return mask + 1; }

  // Group-cooperative push of items[0, n) (the same buffer and n on every lane). Returns how
  // many were taken: a prefix of the buffer; the rest did not fit and stays with the caller.
  template <class G>
  CHROMA2_HD std::uint32_t push(G g, const T* items, std::uint32_t n) const {
    const std::uint32_t got = g.leader([&] { return reserve(counters->free, n); });
    if (got == 0) return 0;
    const std::uint64_t base = g.leader([&] { return claim_positions(counters->tail, got); });
    // Lane i handles items i, i + 32, ...: each pass is one coalesced access of the warp. All
    // waits first, then all slot writes, then all publishing stores, so the release stores'
    // fences find the slot writes already issued instead of one round trip per item.
    g.for_lanes([&](int lane) {
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < got; j += G::lanes)
        wait_turn(base + j, writer_turn(base + j));
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < got; j += G::lanes)
        slots[(base + j) & mask] = items[j];
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < got; j += G::lanes)
        publish(base + j, writer_turn(base + j) + 1u);
    });
    g.sync();
    g.leader([&] { return give(counters->items, got); });
    return got;
  }

  // Group-cooperative pop of up to max items into out[0, returned).
  template <class G>
  CHROMA2_HD std::uint32_t pop(G g, T* out, std::uint32_t max) const {
    const std::uint32_t got = g.leader([&] { return reserve(counters->items, max); });
    if (got == 0) return 0;
    const std::uint64_t base = g.leader([&] { return claim_positions(counters->head, got); });
    g.for_lanes([&](int lane) {
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < got; j += G::lanes)
        wait_turn(base + j, writer_turn(base + j) + 1u);
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < got; j += G::lanes) {
        out[j] = slots[(base + j) & mask];
        if (poison) slots[(base + j) & mask] = poison_value;
      }
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < got; j += G::lanes)
        publish(base + j, writer_turn(base + j) + 2u);
    });
    g.sync();
    g.leader([&] { return give(counters->free, got); });
    return got;
  }

  // Group push of at most one item per lane (has[lane] != 0). accepted[lane] says whether the
  // lane's item was taken; items are taken in lane order.
  template <class G>
  CHROMA2_HD std::uint32_t push_lanes(
      G g, const typename G::template LaneArray<T>& item,
      const typename G::template LaneArray<std::uint32_t>& has,
      typename G::template LaneArray<std::uint32_t>& accepted) const {
    typename G::template LaneArray<std::uint32_t> offset;
    const std::uint32_t total = g.exclusive_scan(has, offset);
    std::uint32_t got = 0;
    if (total != 0) got = g.leader([&] { return reserve(counters->free, total); });
    std::uint64_t base = 0;
    if (got != 0) base = g.leader([&] { return claim_positions(counters->tail, got); });
    g.for_lanes([&](int lane) {
      accepted[lane] = has[lane] && offset[lane] < got;
      if (accepted[lane]) {
        const std::uint64_t p = base + offset[lane];
        wait_turn(p, writer_turn(p));
        slots[p & mask] = item[lane];
        publish(p, writer_turn(p) + 1u);
      }
    });
    if (got != 0) {
      g.sync();
      g.leader([&] { return give(counters->items, got); });
    }
    return got;
  }

  // Group pop of at most one item per lane: lanes [0, returned) receive one.
  template <class G>
  CHROMA2_HD std::uint32_t pop_lanes(G g, typename G::template LaneArray<T>& item) const {
    const std::uint32_t got = g.leader([&] { return reserve(counters->items, G::lanes); });
    if (got == 0) return 0;
    const std::uint64_t base = g.leader([&] { return claim_positions(counters->head, got); });
    g.for_lanes([&](int lane) {
      if (static_cast<std::uint32_t>(lane) < got) {
        const std::uint64_t p = base + static_cast<std::uint32_t>(lane);
        wait_turn(p, writer_turn(p) + 1u);
        item[lane] = slots[p & mask];
        if (poison) slots[p & mask] = poison_value;
        publish(p, writer_turn(p) + 2u);
      }
    });
    g.sync();
    g.leader([&] { return give(counters->free, got); });
    return got;
  }

  // Thread-level operations: the same code with a group of one lane.
  CHROMA2_HD std::uint32_t push(const T* items, std::uint32_t n) const {
    return push(SoloGroup{}, items, n);
  }
  CHROMA2_HD std::uint32_t pop(T* out, std::uint32_t max) const {
    return pop(SoloGroup{}, out, max);
  }
  CHROMA2_HD bool push_one(T item) const { return push(SoloGroup{}, &item, 1) == 1; }

  // Items published and not yet claimed (a snapshot; exact only when the ring is quiescent).
  CHROMA2_HD std::int64_t available() const {
    return atomic_ref<std::int64_t>(counters->items.value).load(memory_order::relaxed);
  }

 private:
  // Credits: see detail/credits.hpp. Relaxed: a slot's sequence word publishes its item.
  CHROMA2_HD static std::uint32_t reserve(detail::PaddedCounter& c, std::uint32_t k) {
    return detail::take_credits(c, k, memory_order::relaxed);
  }
  CHROMA2_HD static std::uint32_t give(detail::PaddedCounter& c, std::uint32_t k) {
    detail::give_credits(c, k, memory_order::relaxed);
    return 0;
  }
  CHROMA2_HD static std::uint64_t claim_positions(detail::PaddedCounter& c, std::uint32_t k) {
    return static_cast<std::uint64_t>(
        atomic_ref<std::int64_t>(c.value).fetch_add(k, memory_order::relaxed));
  }
  // Slot sequence words hold the lap of the position (pos >> lap_shift) as 2 x lap (free for
  // that lap's writer) and 2 x lap + 1 (holds that lap's item), truncated to 32 bits; the reader
  // frees the slot for the next lap with 2 x lap + 2. See docs/device_ring.md for why 32 bits
  // suffice across the 2^32 and 2^64 position wraps.
  CHROMA2_HD std::uint32_t writer_turn(std::uint64_t pos) const {
    return static_cast<std::uint32_t>(pos >> lap_shift) * 2u;
  }
  CHROMA2_HD void wait_turn(std::uint64_t pos, std::uint32_t turn) const {
    atomic_ref<std::uint32_t> s(seq[pos & mask]);
    if (s.load(memory_order::acquire) == turn) return;
    detail::Backoff b;
    do b.pause();
    while (s.load(memory_order::acquire) != turn);
  }
  CHROMA2_HD void publish(std::uint64_t pos, std::uint32_t turn) const {
    atomic_ref<std::uint32_t>(seq[pos & mask]).store(turn, memory_order::release);
  }
};

struct RingOptions {
  std::uint64_t start_position = 0;  // first position (tests start near 2^32 or 2^64)
  bool poison = false;               // overwrite slots after reading (stale reads show up)
};

#if CHROMA2_HAS_CUDA_RUNTIME
namespace detail {
template <class T>
__global__ void ring_reset_kernel(DeviceRingRef<T> r, std::uint64_t start) {
  const std::uint64_t cap = r.mask + 1;
  for (std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x; i < cap;
       i += std::uint64_t(gridDim.x) * blockDim.x) {
    const std::uint64_t p = start + i;
    r.seq[p & r.mask] = static_cast<std::uint32_t>(p >> r.lap_shift) * 2u;
    if (r.poison) r.slots[p & r.mask] = r.poison_value;
  }
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    r.counters->tail.value = static_cast<std::int64_t>(start);
    r.counters->head.value = static_cast<std::int64_t>(start);
    r.counters->free.value = static_cast<std::int64_t>(cap);
    r.counters->items.value = 0;
  }
}
template <class T>
__global__ void ring_host_op_kernel(DeviceRingRef<T> r, T* buf, std::uint32_t n, bool is_push,
                                    std::uint64_t* result) {
  // One warp walks the batch in 128-item chunks, in order, and stops at the first partial
  // chunk: a full ring takes a prefix of the batch, an emptied ring fills a prefix of buf.
  __shared__ T stage[128];
  std::uint64_t total = 0;
  for (std::uint64_t c = 0; c < n; c += 128) {
    const std::uint32_t k = static_cast<std::uint32_t>(n - c < 128 ? n - c : 128);
    std::uint32_t got;
    if (is_push) {
      got = r.push(WarpGroup{}, buf + c, k);
    } else {
      got = r.pop(WarpGroup{}, stage, k);
      for (std::uint32_t j = WarpGroup::lane_id(); j < got; j += 32) buf[c + j] = stage[j];
      __syncwarp();
    }
    total += got;
    if (got < k) break;
  }
  if (WarpGroup::lane_id() == 0) *result = total;
}
}  // namespace detail
#endif

// The owner. Space is Host (host backend) or Device (CUDA).
template <class T, class Space = Host>
class DeviceRing {
 public:
  using ref_type = DeviceRingRef<T>;

  explicit DeviceRing(std::uint64_t capacity, RingOptions options = {}, Stream stream = {},
                      T poison_value = T{})
      : options_(options) {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0 || capacity > ring_max_capacity)
      fail("ring capacity " + std::to_string(capacity) + " is invalid",
           "it must be a power of two between 1 and 2^30",
           "round the capacity up to a power of two, at most " + std::to_string(ring_max_capacity));
    slots_ = Buffer<T, Space>(capacity, stream);
    seq_ = Buffer<std::uint32_t, Space>(capacity, stream);
    counters_ = Buffer<detail::RingCounters, Space>(1, stream);
    std::uint32_t shift = 0;
    while ((std::uint64_t(1) << shift) < capacity) ++shift;
    ref_ = ref_type{slots_.data(), seq_.data(),    counters_.data(), capacity - 1,
                    shift,         options.poison, poison_value};
    clear(stream);
  }

  ref_type ref() const { return ref_; }
  std::uint64_t capacity() const { return ref_.mask + 1; }

  // Empties the ring and resets positions to the start position. Host-side, quiescent only.
  void clear([[maybe_unused]] Stream stream = {}) {
    const std::uint64_t start = options_.start_position;
    if constexpr (std::is_same_v<Space, Host>) {
      for (std::uint64_t i = 0; i <= ref_.mask; ++i) {
        const std::uint64_t p = start + i;
        ref_.seq[p & ref_.mask] = static_cast<std::uint32_t>(p >> ref_.lap_shift) * 2u;
        if (ref_.poison) ref_.slots[p & ref_.mask] = ref_.poison_value;
      }
      ref_.counters->tail.value = static_cast<std::int64_t>(start);
      ref_.counters->head.value = static_cast<std::int64_t>(start);
      ref_.counters->free.value = static_cast<std::int64_t>(capacity());
      ref_.counters->items.value = 0;
    } else {
#if CHROMA2_HAS_CUDA_RUNTIME
      const unsigned grid =
          static_cast<unsigned>(std::min<std::uint64_t>(capacity() / 256 + 1, 4096));
      detail::ring_reset_kernel<<<grid, 256, 0, stream.cuda()>>>(ref_, start);
      CHROMA2_CUDA_CHECK_LAUNCH();
      stream.synchronize();
#endif
    }
  }

  // Items in the ring. Host-side, quiescent only.
  std::uint64_t size(Stream stream = {}) const {
    detail::RingCounters c;
    Space::copy_to_host(&c, counters_.data(), sizeof c, stream);
    Space::synchronize(stream);
    return static_cast<std::uint64_t>(c.tail.value) - static_cast<std::uint64_t>(c.head.value);
  }

  // Bulk push from host memory; returns how many were taken (a prefix of items; a full ring
  // takes what fits). Blocking: returns once the items are in the ring.
  std::size_t push(std::span<const T> items, Stream stream = {}) {
    return host_op(const_cast<T*>(items.data()), items.size(), true, stream);
  }
  // Bulk pop into host memory; returns how many were popped (0 for an empty ring).
  std::size_t pop(std::span<T> out, Stream stream = {}) {
    return host_op(out.data(), out.size(), false, stream);
  }

#if CHROMA2_HAS_CUDA_RUNTIME
  // Asynchronous bulk push/pop on a stream: `items` and `count` must be device-accessible
  // (Device or Pinned memory) and stay alive until the stream reaches this point; *count
  // receives how many items were taken or popped.
  void push_async(const T* items, std::uint32_t n, std::uint64_t* count, Stream stream) {
    launch_async(const_cast<T*>(items), n, true, count, stream);
  }
  void pop_async(T* out, std::uint32_t n, std::uint64_t* count, Stream stream) {
    launch_async(out, n, false, count, stream);
  }
#endif

 private:
#if CHROMA2_HAS_CUDA_RUNTIME
  void launch_async(T* data, std::uint32_t n, bool is_push, std::uint64_t* count, Stream stream) {
    static_assert(!std::is_same_v<Space, Host>, "async operations are for device rings");
    detail::ring_host_op_kernel<<<1, 32, 0, stream.cuda()>>>(ref_, data, n, is_push, count);
    CHROMA2_CUDA_CHECK_LAUNCH();
  }
#endif
  std::size_t host_op(T* data, std::size_t n, bool is_push, [[maybe_unused]] Stream stream) {
    if (n > 0xffffffffu)
      fail("bulk ring operation of " + std::to_string(n) + " items is too large",
           "one call moves at most 2^32 - 1 items", "split the batch");
    if (n == 0) return 0;
    const auto k = static_cast<std::uint32_t>(n);
    if constexpr (std::is_same_v<Space, Host>) {
      return is_push ? ref_.push(data, k) : ref_.pop(data, k);
    } else {
#if CHROMA2_HAS_CUDA_RUNTIME
      Buffer<T, Space> staging(n, stream);
      Buffer<std::uint64_t, Space> result(1, stream);
      if (is_push) Space::copy_from_host(staging.data(), data, n * sizeof(T), stream);
      launch_async(staging.data(), k, is_push, result.data(), stream);
      std::uint64_t got = 0;
      Space::copy_to_host(&got, result.data(), sizeof got, stream);
      if (!is_push) Space::copy_to_host(data, staging.data(), n * sizeof(T), stream);
      Space::synchronize(stream);
      return static_cast<std::size_t>(got);
#else
      return 0;
#endif
    }
  }

  RingOptions options_;
  Buffer<T, Space> slots_;
  Buffer<std::uint32_t, Space> seq_;
  Buffer<detail::RingCounters, Space> counters_;
  ref_type ref_{};
};

}  // namespace chroma2
