// SPDX-License-Identifier: BSD-3-Clause
// The detector benchmark's options and their parser, declared without CLI11 so that
// bench_detector.cu can call it; detector_options.cpp defines it over bench/support/cli.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace chroma2::bench {

struct DetectorBenchOptions {
  std::filesystem::path data;  // the shared data folder
  std::vector<std::string> detectors{"tiny", "full"};
  std::vector<std::uint64_t> photons{500000, 5000000};
  std::vector<std::uint32_t> max_steps{100, 10};
  std::uint64_t seed = 1;
  bool long_tail = true;                 // the long-tail water runs (GPU)
  std::uint32_t long_tail_steps = 1000;  // their step limit
  bool photons_given = false;  // --photons on the command line (the host run has its own default)
  unsigned threads = 0;        // host: worker threads (0: hardware threads)
  // the persistent worker's knobs (docs/persistent_worker.md); 0 keeps the library's default
  std::uint32_t refill_lanes = 0, idle_threshold = 0, micro_steps = 0, page = 1u << 20;
  unsigned grid = 0;
};

DetectorBenchOptions parse_detector_bench_options(int argc, char** argv);

}  // namespace chroma2::bench
