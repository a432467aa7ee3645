// SPDX-License-Identifier: BSD-3-Clause
// The worker benchmarks' options (GPU and host) and their parser, declared without CLI11 so that
// bench_worker.cu can call it; worker_options.cpp defines it over bench/support/cli.hpp.
#pragma once

#include "chroma2/core/persistent_worker.hpp"

#include <cstdint>
#include <vector>

namespace chroma2::bench {

struct WorkerBenchOptions {
  std::vector<std::uint64_t> photons{100000, 1000000, 10000000};
  float spawn = 0.01f;  // spawn probability per primary step (worker-only run)
  std::uint32_t micro_steps = WorkerOptions{}.micro_steps;
  std::uint32_t refill_lanes = WorkerOptions{}.refill_lanes;
  unsigned grid = 0;  // GPU: blocks of the worker (0: occupancy x SMs)
  std::uint32_t max_steps = 10000;
  std::uint64_t seed = 1;
  unsigned threads = 0;  // host backend: 0 = 1, 2, 4, ... up to all hardware threads
  double bandwidth = 0;  // bytes/s for the floor; 0: by device (GPU) or 20e9 (host)
};

// The options of bench_worker and bench_worker_host; exits with status 2 and a message on bad
// input, 0 after --help.
WorkerBenchOptions parse_worker_bench_options(int argc, char** argv);

}  // namespace chroma2::bench
