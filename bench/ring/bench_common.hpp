// SPDX-License-Identifier: BSD-3-Clause
// What the GPU and host ring benchmarks share: the median of repeats, the analytic floors
// (hot-counter atomic rate, memory bandwidth) and the table / JSON-line output, so both backends
// report the same fields and can be merged into one table. Options: ring_options.hpp.
#pragma once

#include "bench/ring/ring_options.hpp"
#include "bench/support/report.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace chroma2::bench {

// A claim size, as swept by the benchmark.
enum class Claim { thread, warp32, chunk128 };

inline const char* claim_name(Claim c) {
  return c == Claim::thread ? "thread" : c == Claim::warp32 ? "warp32" : "chunk128";
}
inline std::uint32_t claim_items(Claim c) {
  return c == Claim::thread ? 1u : c == Claim::warp32 ? 32u : 128u;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// One measurement: a row of the table and one JSON line.
struct RingMeasurement {
  std::string backend, device, queue, claim;
  std::uint64_t capacity = 0, items = 0;
  int threads = 0;  // host: worker threads; GPU: 0
  double seconds = 0, min_seconds = 0, max_seconds = 0;
  double items_per_s = 0;
  double ratio_vs_broker = 0;  // 0: no baseline for this row
};

// A measurement from the run times of its repeats (median, min, max).
inline RingMeasurement summarize(const char* backend, const std::string& device,
                                 std::uint64_t items, int threads,
                                 const std::vector<double>& times) {
  RingMeasurement m;
  m.backend = backend;
  m.device = device;
  m.items = items;
  m.threads = threads;
  m.seconds = median(times);
  m.min_seconds = *std::min_element(times.begin(), times.end());
  m.max_seconds = *std::max_element(times.begin(), times.end());
  m.items_per_s = static_cast<double>(items) / m.seconds;
  return m;
}

inline void print_json(const RingMeasurement& m) {
  JsonLine j;
  j.add("bench", "device_ring")
      .add("backend", m.backend)
      .add("device", m.device)
      .add("queue", m.queue)
      .add("claim", m.claim)
      .add("capacity", m.capacity);
  if (m.threads) j.add("threads", m.threads);
  j.add("items", m.items)
      .add("seconds", m.seconds)
      .add("min_seconds", m.min_seconds)
      .add("max_seconds", m.max_seconds)
      .add("items_per_s", m.items_per_s);
  if (m.ratio_vs_broker > 0)
    j.add("ratio_vs_broker", m.ratio_vs_broker);
  else
    j.add_null("ratio_vs_broker");
  j.print();
}

inline void print_table(const std::vector<RingMeasurement>& rows) {
  const Table table({{"queue", 8, Align::left},
                     {"claim", 9, Align::left},
                     {"capacity", 10, Align::left},
                     {"threads", 7},
                     {"items", 12},
                     {"median s", 11},
                     {"min s", 11},
                     {"G items/s", 13},
                     {"vs broker", 9}});
  std::printf("\n");
  table.print_header();
  for (const RingMeasurement& m : rows)
    table.print_row({m.queue, m.claim, str_printf("2^%d", 63 - __builtin_clzll(m.capacity)),
                     std::to_string(m.threads), std::to_string(m.items),
                     str_printf("%.5f", m.seconds), str_printf("%.5f", m.min_seconds),
                     str_printf("%.3f", m.items_per_s / 1e9),
                     m.ratio_vs_broker > 0 ? str_printf("%.1fx", m.ratio_vs_broker) : "-"});
}

// Prints the table and the verdict; the process's exit status.
inline int finish(const std::vector<RingMeasurement>& rows, bool failed) {
  print_table(rows);
  if (failed) {
    std::fprintf(stderr, "FAILED: at least one run lost or duplicated items (see above)\n");
    return 1;
  }
  std::printf("all runs verified: every item popped exactly once, checksums match\n");
  return 0;
}

// Upper bounds the measured rates are judged against. Atomic bound: a claim of k items costs one
// atomic on each of four hot counters per side; `free` and `items` each see two per claim pair
// (taken by one side, given back by the other), so k x rate / 2 is the ring's own ceiling and
// k x rate the one-counter ceiling. Bandwidth bound: per item the slot is written and read and
// the sequence word is read and written by both sides.
inline void print_floors(const RingBenchOptions& o, std::size_t item_bytes, double bandwidth,
                         const char* bandwidth_source) {
  const double seq_bytes = 4 * sizeof(std::uint32_t);  // 32-bit sequence words
  const double per_item = 2.0 * item_bytes + seq_bytes;
  std::printf("floors (upper bounds on items/s, one item = one completed push + one pop):\n");
  for (Claim c : {Claim::thread, Claim::warp32, Claim::chunk128}) {
    const double k = claim_items(c);
    std::printf(
        "  atomic  %-9s one hot counter at %.3g atomics/s: %8.2f G items/s;"
        " free/items counters (2 atomics per claim pair): %8.2f G items/s\n",
        claim_name(c), o.atomic_rate, k * o.atomic_rate / 1e9, k * o.atomic_rate / 2 / 1e9);
  }
  if (bandwidth > 0)
    std::printf(
        "  bandwidth %.0f bytes/item (slot write+read %zu+%zu, sequence words 4x4) at "
        "%.3g B/s (%s): %.2f G items/s\n",
        per_item, item_bytes, item_bytes, bandwidth, bandwidth_source, bandwidth / per_item / 1e9);
  std::fflush(stdout);
}

}  // namespace chroma2::bench
