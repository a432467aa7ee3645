// SPDX-License-Identifier: BSD-3-Clause
// The ring benchmarks' options (GPU and host) and their parser, declared without CLI11 so that
// bench_ring.cu can call it; ring_options.cpp defines it over bench/support/cli.hpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace chroma2::bench {

struct RingBenchOptions {
  std::uint64_t items = std::uint64_t(1) << 28;  // items per run for warp and chunk claims
  std::uint64_t items_per_item = 0;  // per-item queues (thread claims, broker); 0: items/8
  int reps = 5;                      // timed repeats (median); one untimed warm-up
  std::vector<std::uint64_t> capacities{std::uint64_t(1) << 16, std::uint64_t(1) << 26};
  int max_threads = 0;              // host: largest thread count (0: hardware concurrency)
  double timeout_s = 30;            // GPU: a run that takes longer is reported as a hang
  double bandwidth = 0;             // bytes/s (read + write) for the bandwidth floor; 0: by device
  double atomic_rate = 1.35e9;      // same-address atomics/s one counter sustains
  unsigned backoff_max_ns = 32768;  // GPU: cap of the backoff after a claim of 0 (ns)
  // GPU: --only names (broker, thread, warp32, chunk128); empty: all.
  std::vector<std::string> only;

  bool runs(const char* name) const {
    return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
  }
};

// The options of bench_ring (`gpu`) or bench_ring_host, starting from `defaults`; exits with
// status 2 and a message on bad input, 0 after --help.
RingBenchOptions parse_ring_options(int argc, char** argv, bool gpu, RingBenchOptions defaults);

}  // namespace chroma2::bench
