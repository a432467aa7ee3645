// SPDX-License-Identifier: BSD-3-Clause
// DeviceRing test bodies shared by the host tests (SerialGroup / SoloGroup on std::jthread) and
// the GPU tests (WarpGroup in kernels). Each body records what it saw; the host asserts.
#pragma once

#include "chroma2/config/atomic.hpp"
#include "chroma2/core/device_ring.hpp"

#include <cstdint>

namespace chroma2::test {

inline constexpr std::uint32_t ring_poison = 0xdeadbeefu;

// Deterministic batch sizes in [1, max].
CHROMA2_HD inline std::uint32_t batch_size(std::uint32_t i, std::uint32_t max) {
  std::uint32_t x = i * 2654435761u + 12345u;
  x ^= x >> 15;
  return 1u + x % max;
}

struct OrderResult {
  std::uint64_t checked;
  std::uint32_t errors;
  std::uint32_t first_bad;  // index of the first out-of-order value, or ~0
};

CHROMA2_HD inline void note_value(OrderResult& r, std::uint64_t expect, std::uint32_t got) {
  if (got != static_cast<std::uint32_t>(expect)) {
    if (r.errors == 0) r.first_bad = static_cast<std::uint32_t>(expect);
    ++r.errors;
  }
  ++r.checked;
}

// One group pushes 0..n-1 in batches of varying size and pops them in batches of other sizes,
// interleaved so the ring wraps many times; every value must come out once, in order.
template <class G>
CHROMA2_HD OrderResult body_batches(G g, DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                                    std::uint32_t n, std::uint32_t max_batch) {
  OrderResult res{0, 0, ~0u};
  std::uint64_t pushed = 0, popped = 0;
  std::uint32_t round = 0;
  while (popped < n) {
    // push a batch (whatever fits)
    const std::uint32_t want = batch_size(round, max_batch);
    const std::uint32_t k = static_cast<std::uint32_t>(n - pushed < want ? n - pushed : want);
    g.for_lanes([&](int lane) {
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes)
        scratch[j] = static_cast<std::uint32_t>(pushed + j);
    });
    g.sync();
    if (k) pushed += r.push(g, scratch, k);
    g.sync();
    // pop a batch of another size
    const std::uint32_t m = batch_size(round * 7u + 3u, max_batch);
    const std::uint32_t got = r.pop(g, scratch, m);
    for (std::uint32_t j = 0; j < got; ++j) note_value(res, popped + j, scratch[j]);
    popped += got;
    g.sync();
    ++round;
  }
  // empty now
  if (r.pop(g, scratch, 1) != 0) ++res.errors;
  return res;
}

// Full and empty edges on a ring of capacity 8: records each call's count in log[0..15].
template <class G>
CHROMA2_HD void body_edges(G g, DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                           std::uint32_t* log) {
  int n = 0;
  g.for_lanes([&](int lane) {
    for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < 16; j += G::lanes)
      scratch[j] = 100 + j;
  });
  g.sync();
  log[n++] = r.pop(g, scratch + 32, 4);   // empty: 0
  log[n++] = r.push(g, scratch, 10);      // 8 of 10 fit
  log[n++] = r.push(g, scratch, 1);       // full: 0
  log[n++] = r.pop(g, scratch + 32, 3);   // 3
  log[n++] = scratch[32] + scratch[34];   // 100 + 102
  log[n++] = r.push(g, scratch + 10, 5);  // 3 of 5 fit
  typename G::template LaneArray<std::uint32_t> item, has, accepted;
  g.for_lanes([&](int lane) {
    item[lane] = 500 + lane;
    has[lane] = lane % 2;
  });
  log[n++] = r.push_lanes(g, item, has, accepted);  // full: 0
  log[n++] = r.pop(g, scratch + 32, 16);            // 8: 103..107, 110..112
  log[n++] = scratch[32] + scratch[39];             // 103 + 112
  log[n++] = r.push_lanes(g, item, has, accepted);  // odd lanes: min(8, lanes/2)
  typename G::template LaneArray<std::uint32_t> out;
  g.for_lanes([&](int lane) { out[lane] = 0; });
  log[n++] = r.pop_lanes(g, out);  // what push_lanes put in
  std::uint32_t first = 0;
  g.for_lanes([&](int lane) {
    if (lane == 0) first = out[lane];
  });
  log[n++] = first;                      // 501 (lane 1's item)
  log[n++] = r.pop(g, scratch + 32, 1);  // empty: 0
}

// Expected log of body_edges for a group of `lanes` lanes.
inline void expected_edges(int lanes, std::uint32_t* want) {
  const std::uint32_t odd = static_cast<std::uint32_t>(lanes / 2);
  const std::uint32_t took = odd < 8 ? odd : 8;
  const std::uint32_t v[13] = {0, 8, 0, 3, 202, 3, 0, 8, 215, took, took, took ? 501u : 0u, 0};
  for (int i = 0; i < 13; ++i) want[i] = v[i];
}

// Multi-producer side of the stress test: pushes the values [first, first + n) in chunks of
// varying size, retrying what did not fit, until all are in.
template <class G>
CHROMA2_HD void stress_produce(G g, DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                               std::uint32_t first, std::uint32_t n, std::uint32_t max_batch) {
  std::uint32_t done = 0, round = first;
  while (done < n) {
    const std::uint32_t want = batch_size(round++, max_batch);
    const std::uint32_t k = n - done < want ? n - done : want;
    g.for_lanes([&](int lane) {
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < k; j += G::lanes)
        scratch[j] = first + done + j;
    });
    g.sync();
    done += r.push(g, scratch, k);
    g.sync();
  }
}

// Consumer side: pops until `total` items were consumed by all consumers together, counting
// each value in counts[] and every poison or out-of-range value in *bad.
template <class G>
CHROMA2_HD void stress_consume(G g, DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                               std::uint32_t* counts, std::uint64_t* consumed, std::uint32_t* bad,
                               std::uint64_t total, std::uint32_t max_batch) {
  std::uint32_t round = 0;
  for (;;) {
    const std::uint64_t so_far =
        g.leader([&] { return atomic_ref<std::uint64_t>(*consumed).load(memory_order::relaxed); });
    if (so_far >= total) break;
    const std::uint32_t got = r.pop(g, scratch, batch_size(round++, max_batch));
    g.for_lanes([&](int lane) {
      for (std::uint32_t j = static_cast<std::uint32_t>(lane); j < got; j += G::lanes) {
        const std::uint32_t v = scratch[j];
        if (v >= total) {
          atomic_ref<std::uint32_t>(*bad).fetch_add(1, memory_order::relaxed);
        } else {
          atomic_ref<std::uint32_t>(counts[v]).fetch_add(1, memory_order::relaxed);
        }
      }
    });
    g.sync();
    if (got)
      g.leader([&] {
        atomic_ref<std::uint64_t>(*consumed).fetch_add(got, memory_order::relaxed);
        return 0;
      });
  }
}

// Single consumer of a single producer (stress_produce with first = 0): order must hold.
template <class G>
CHROMA2_HD OrderResult fifo_consume(G g, DeviceRingRef<std::uint32_t> r, std::uint32_t* scratch,
                                    std::uint32_t n, std::uint32_t max_batch) {
  OrderResult res{0, 0, ~0u};
  std::uint64_t popped = 0;
  std::uint32_t round = 0;
  while (popped < n) {
    const std::uint32_t got = r.pop(g, scratch, batch_size(round++, max_batch));
    for (std::uint32_t j = 0; j < got; ++j) note_value(res, popped + j, scratch[j]);
    popped += got;
    g.sync();
  }
  return res;
}

}  // namespace chroma2::test
