// SPDX-License-Identifier: BSD-3-Clause
// The session benchmark's options and their parser, declared without CLI11 so that
// bench_session.cu can call it; session_bench_options.cpp defines it over bench/support/cli.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace chroma2::bench {

struct SessionBenchOptions {
  std::filesystem::path data;  // the shared data folder
  std::vector<std::string> detectors{"full", "tiny"};
  std::uint64_t photons = 5000000;        // host-to-host runs
  std::uint32_t max_steps = 100;          //
  std::uint32_t small_events = 2000;      // small-event runs: events
  std::uint32_t event_photons = 1000;     // photons per small event
  std::vector<unsigned> producers{1, 8};  // producer threads of the small-event runs
  std::uint32_t batch = 100;              // events per launch of the batching baseline
  unsigned feed_threads = 8;              // session: expanding threads (0: automatic)
  std::uint32_t queue = 16;               // session: events queued before submit() waits
                                          // (small-event runs)
  std::uint32_t slots = 64;               // session: events in flight
  std::uint32_t inbox = 1u << 18;         // worker: inbox records
  std::uint32_t feed_chunk = 1u << 16;    // session: photons expanded per turn
  std::uint32_t page = 1u << 20;          // worker: photon slots
  std::uint64_t seed = 1;
};

SessionBenchOptions parse_session_bench_options(int argc, char** argv);

}  // namespace chroma2::bench
