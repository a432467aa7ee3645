// SPDX-License-Identifier: BSD-3-Clause
// The benchmark's baseline: a per-item ticket queue in the style of the Broker Queue (Kerbl et
// al., ICS 2018), written from the paper's description. Every enqueue and dequeue pays its own
// atomics, which is exactly what the DeviceRing's group-aggregated claims avoid.
//
// Protocol (per item): a shared `count` guards the ring so that no more than `capacity`
// enqueuers and no more dequeuers than published-or-promised items get in (read first, then
// add, and undo on overshoot); a ticket from head or tail (one atomicAdd) names the slot; the
// slot's turn word says whose turn it is: 2 * lap for the writer, 2 * lap + 1 for the reader.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/core/detail/backoff.hpp"

#include <cstdint>
#include <type_traits>

namespace chroma2::bench {

// Counters, each on its own 128-byte line (as in the ring) so the comparison is about protocol.
struct alignas(128) BrokerCounter {
  std::uint32_t value;
  char pad[128 - sizeof(std::uint32_t)];
};
struct alignas(128) BrokerCount {
  std::int32_t value;
  char pad[128 - sizeof(std::int32_t)];
};
struct BrokerCounters {
  BrokerCounter head;  // next dequeue ticket
  BrokerCounter tail;  // next enqueue ticket
  BrokerCount count;   // enqueues minus dequeues let in; may dip below 0 or pass capacity briefly
};

// The kernel-side handle, trivially copyable like DeviceRingRef.
struct BrokerQueueRef {
  std::uint32_t* slots;
  std::uint32_t* turns;  // per slot: 2 * lap (free for lap's writer), 2 * lap + 1 (readable)
  BrokerCounters* counters;
  std::uint32_t capacity;  // a power of two
  std::uint32_t log2_capacity;

  CHROMA2_HD bool enqueue(std::uint32_t item) const {
    if (!ensure_enqueue()) return false;
    const std::uint32_t pos = ticket(counters->tail);
    wait_turn(pos, 2u * (pos >> log2_capacity));
    slots[pos & (capacity - 1)] = item;
    publish(pos, 2u * (pos >> log2_capacity) + 1u);
    return true;
  }

  CHROMA2_HD bool dequeue(std::uint32_t& item) const {
    if (!ensure_dequeue()) return false;
    const std::uint32_t pos = ticket(counters->head);
    wait_turn(pos, 2u * (pos >> log2_capacity) + 1u);
    item = slots[pos & (capacity - 1)];
    publish(pos, 2u * ((pos >> log2_capacity) + 1u));
    return true;
  }

 private:
  CHROMA2_HD atomic_ref<std::int32_t> count() const {
    return atomic_ref<std::int32_t>(counters->count.value);
  }
  // An enqueuer may go on only while fewer than `capacity` items are promised.
  CHROMA2_HD bool ensure_enqueue() const {
    std::int32_t num = count().load(memory_order::relaxed);
    for (;;) {
      if (num >= static_cast<std::int32_t>(capacity)) return false;
      if (count().fetch_add(1, memory_order::relaxed) < static_cast<std::int32_t>(capacity))
        return true;
      num = count().fetch_sub(1, memory_order::relaxed) - 1;
    }
  }
  // A dequeuer may go on only while an item is promised to it.
  CHROMA2_HD bool ensure_dequeue() const {
    std::int32_t num = count().load(memory_order::relaxed);
    for (;;) {
      if (num <= 0) return false;
      if (count().fetch_sub(1, memory_order::relaxed) > 0) return true;
      num = count().fetch_add(1, memory_order::relaxed) + 1;
    }
  }
  CHROMA2_HD static std::uint32_t ticket(BrokerCounter& c) {
    return atomic_ref<std::uint32_t>(c.value).fetch_add(1u, memory_order::relaxed);
  }
  CHROMA2_HD void wait_turn(std::uint32_t pos, std::uint32_t turn) const {
    atomic_ref<std::uint32_t> t(turns[pos & (capacity - 1)]);
    detail::Backoff b;
    while (t.load(memory_order::acquire) != turn) b.pause();
  }
  CHROMA2_HD void publish(std::uint32_t pos, std::uint32_t turn) const {
    atomic_ref<std::uint32_t>(turns[pos & (capacity - 1)]).store(turn, memory_order::release);
  }
};

// Host owner, memory space as a parameter. Every word starts at zero: lap 0's writer turn.
template <class Space>
class BrokerQueue {
 public:
  explicit BrokerQueue(std::uint32_t capacity) : slots_(capacity), turns_(capacity), counters_(1) {
    std::uint32_t log2 = 0;
    while ((1u << log2) < capacity) ++log2;
    ref_ = BrokerQueueRef{slots_.data(), turns_.data(), counters_.data(), capacity, log2};
    clear();
  }
  BrokerQueueRef ref() const { return ref_; }
  // Empties the queue; quiescent only.
  void clear(Stream stream = {}) {
    Space::fill(turns_.data(), 0, turns_.bytes(), stream);
    Space::fill(counters_.data(), 0, counters_.bytes(), stream);
    Space::synchronize(stream);
  }
  // Head, tail and count after a run; quiescent only.
  BrokerCounters counters(Stream stream = {}) const {
    BrokerCounters c;
    Space::copy_to_host(&c, counters_.data(), sizeof c, stream);
    Space::synchronize(stream);
    return c;
  }

 private:
  Buffer<std::uint32_t, Space> slots_;
  Buffer<std::uint32_t, Space> turns_;
  Buffer<BrokerCounters, Space> counters_;
  BrokerQueueRef ref_{};
};

}  // namespace chroma2::bench
