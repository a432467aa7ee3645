// SPDX-License-Identifier: BSD-3-Clause
// What a persistent worker is built with: run-time options (sizes, budgets, cadences, seed) that
// validate_worker_options() checks and resolves before anything is allocated, and the
// compile-time WorkerTuning (launch shape, claim size, loop periods) that shapes its kernel.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/core/group.hpp"
#include "chroma2/core/hit_record.hpp"
#include "chroma2/core/run_sources.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace chroma2 {

// Sizes and policies. Zero means "choose for me" where noted.
struct WorkerOptions {
  std::uint32_t page_capacity = 1u << 16;    // photon slots
  std::uint32_t inbox_capacity = 1u << 14;   // host-fed records (rounded up to a power of two)
  std::uint32_t output_capacity = 1u << 20;  // finished records (rounded up to a power of two)
  std::uint32_t max_events = 64;             // event slots are [0, max_events) (at most 2^20;
                                             // a slot is reused once its event completed)
  OutputTier output = OutputTier::hits;      // what an event returns unless set_output() says
                                             // otherwise (every event is tallied in any tier)
  std::uint32_t channels = 0;                // detector channels in the per-channel summary
                                             // (OutputTier::channels; 0: no summary)
  std::uint32_t history_points = 0;          // points per photon of the step history
                                             // (OutputTier::history; 0: none)
  std::uint32_t micro_steps = 256;           // physics steps per photon per visit (a photon
                                             // that uses them up goes back to active)
  std::uint32_t max_steps = 65535;           // a photon still alive after this many steps ends
                                             // with TerminalReason::max_steps
  std::uint32_t refill_lanes = 8;            // a warp claims new photons once this many of its
                                             // 32 lanes are empty (1..32; a host thread is a
                                             // group of one lane and refills when empty)
  std::uint32_t spawn_threshold = 0;         // spawn feeds lanes before active while active
                                             // holds fewer photons than this (0: only when active
                                             // cannot fill the empty lanes)
  std::uint32_t spawn_period = 0;            // time-based cadence instead: every this many
                                             // iterations (a multiple of the tuning's
                                             // housekeeping period) each group moves a chunk of
                                             // spawn → active (0: off)
  std::uint32_t spawn_reserve = 0;           // slots inbox photons may never take (kept for
                                             // secondaries); 0: page / 8, at least 1
  std::uint32_t idle_threshold = 64;         // idle iterations before a group backs off
  std::uint64_t seed = 0;                    // run seed of the RNG streams
  unsigned threads = 0;                      // host backend: 0 = hardware threads
  unsigned grid = 0;                         // CUDA backend: blocks; 0 = occupancy × SMs
};

// The kernel's shape and the group loop's periods, fixed at compile time: a tuning is a type
// (as CUB's policies are) passed to PersistentWorker. To change a value, derive and shadow it:
//   struct BigChunks : chroma2::WorkerTuning { static constexpr std::uint32_t chunk = 256; };
// The defaults are what the benchmarks measured best on H100/H200 (docs/persistent_worker.md).
struct WorkerTuning {
  static constexpr std::uint32_t block_threads = 256;       // CUDA block: 8 groups (warps)
  static constexpr std::uint32_t min_blocks_per_sm = 2;     // launch bounds: 2 blocks of 256
                                                            // bound registers to 128
  static constexpr std::uint32_t chunk = 128;               // slots per claim and per list
  static constexpr std::uint32_t housekeeping_period = 64;  // iterations between stop checks,
                                                            // doorbell polls, output flushes
                                                            // and recycling
  static constexpr std::uint32_t output_period = 512;       // finished photons reach the host
                                                            // within this many iterations, even
                                                            // when fewer than a group's worth
  static constexpr std::uint32_t mirror_period = 1024;      // the polling group refreshes the
                                                            // host's mirror of telemetry and
                                                            // event counts (and when idle)
  static constexpr std::uint32_t telemetry_period = 1024;   // a group adds its telemetry to the
                                                            // shared counters
  static constexpr unsigned idle_sleep_max_ns = 16384;      // an idle group sleeps up to this
                                                            // (device; the host yields), leaving
                                                            // the hot counters to busy groups
  static constexpr std::uint32_t refill_delay_max = 64;     // a group that found nothing to
                                                            // claim looks again after up to this
                                                            // many of its own iterations
  static constexpr bool dedicated_poller = false;   // device: the polling group (one warp) only
                                                    // polls, every poll_sleep_ns, and refreshes
                                                    // the mirror every mirror_polls polls,
                                                    // rather than between its photons' steps
  static constexpr unsigned poll_sleep_ns = 1000;   //
  static constexpr std::uint32_t mirror_polls = 4;  //
  using run_sources = RunSources<>;                 // sources the worker draws photon by photon
                                                    // from a run (core/run_sources.hpp; a
                                                    // uniform source's request needs none)
};

// Whether T is a usable tuning (PersistentWorker checks it with a static_assert).
template <class T>
constexpr bool valid_worker_tuning() {
  const auto multiple = [](std::uint32_t a, std::uint32_t b) { return b != 0 && a % b == 0; };
  return multiple(T::block_threads, group_lanes) && T::block_threads <= 1024 &&
         T::min_blocks_per_sm >= 1 && multiple(T::chunk, group_lanes) &&
         T::chunk >= 2 * group_lanes && T::chunk <= 1024 && T::housekeeping_period >= 1 &&
         multiple(T::output_period, T::housekeeping_period) &&
         multiple(T::mirror_period, T::housekeeping_period) &&
         multiple(T::telemetry_period, T::housekeeping_period) && T::idle_sleep_max_ns >= 32 &&
         T::refill_delay_max >= 1 && T::poll_sleep_ns >= 32 && T::mirror_polls >= 1;
}
static_assert(valid_worker_tuning<WorkerTuning>());

// Sizes derived from valid options.
struct WorkerSizes {
  std::uint32_t page_capacity;    // photon slots
  std::uint32_t spawn_reserve;    // slots kept for secondaries
  std::uint64_t ring_capacity;    // each slot ring (power of two)
  std::uint64_t inbox_capacity;   // power of two
  std::uint64_t output_capacity;  // power of two
};

namespace detail {
constexpr std::uint64_t round_up_pow2(std::uint64_t v) {
  std::uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}
}  // namespace detail

// Checks options and resolves the sizes; throws chroma2::Error naming the option otherwise.
inline WorkerSizes validate_worker_options(const WorkerOptions& o,
                                           std::uint32_t housekeeping_period = 64) {
  const std::uint32_t cap = o.page_capacity;
  if (cap < 2)
    fail("worker page capacity " + std::to_string(cap) + " is too small",
         "a page needs room for a photon and its secondary", "ask for at least 2 slots");
  if (cap > (1u << 30))
    fail("worker page capacity " + std::to_string(cap) + " is too large",
         "slot rings hold at most 2^30 slots", "ask for at most 2^30 slots");
  if (o.max_events == 0)
    fail("max_events 0 is invalid", "every photon belongs to an event", "ask for at least 1");
  if (o.max_events > (1u << 20))
    fail("max_events " + std::to_string(o.max_events) + " is too large",
         "an output entry names its event slot in 20 bits", "ask for at most 2^20 event slots");
  if (static_cast<std::uint8_t>(o.output) >= static_cast<std::uint8_t>(OutputTier::count_))
    fail("output tier " + std::to_string(static_cast<int>(o.output)) + " is invalid",
         "the tiers are hits, compact_hits, photons, channels and history", "pick one of them");
  if (o.history_points > 1024)
    fail("history_points " + std::to_string(o.history_points) + " is too large",
         "each output entry holds a photon and its points", "ask for at most 1024");
  if (o.output == OutputTier::history && o.history_points == 0)
    fail("the default output tier is the step history but history_points is 0",
         "the history keeps that many points per photon", "set WorkerOptions::history_points");
  if (o.output == OutputTier::channels && o.channels == 0)
    fail("the default output tier is the per-channel summary but channels is 0",
         "the summary has a row per channel", "set WorkerOptions::channels to the detector's");
  if (std::uint64_t{o.channels} * o.max_events > (std::uint64_t{1} << 30))
    fail("channels x max_events = " + std::to_string(std::uint64_t{o.channels} * o.max_events) +
             " is too large",
         "the per-channel summary keeps a row of channels per event, at most 2^30 entries",
         "lower max_events or channels");
  if (o.micro_steps == 0)
    fail("micro-step budget 0 is invalid", "a visit must step a photon at least once",
         "ask for at least 1");
  if (o.max_steps == 0 || o.max_steps > 65535)
    fail("max_steps " + std::to_string(o.max_steps) + " is invalid",
         "a photon's step count is 16 bits and it takes at least one step",
         "ask for 1 to 65535 (default 65535)");
  if (o.refill_lanes == 0 || o.refill_lanes > group_lanes)
    fail("refill_lanes " + std::to_string(o.refill_lanes) + " is invalid",
         "a group of " + std::to_string(group_lanes) + " lanes refills once that many are empty",
         "ask for 1 to " + std::to_string(group_lanes) + " (default 8)");
  if (o.spawn_period % housekeeping_period != 0)
    fail("spawn_period " + std::to_string(o.spawn_period) + " is invalid",
         "groups look at the spawn cadence every " + std::to_string(housekeeping_period) +
             " iterations",
         "use a multiple of " + std::to_string(housekeeping_period) + " or 0 (off)");
  const std::uint32_t reserve =
      o.spawn_reserve ? o.spawn_reserve : std::max<std::uint32_t>(1, cap / 8);
  if (reserve >= cap)
    fail("spawn_reserve " + std::to_string(reserve) + " is not below the page capacity " +
             std::to_string(cap),
         "inbox photons need at least one slot", "lower spawn_reserve or grow the page");
  return {cap, reserve, detail::round_up_pow2(cap),
          detail::round_up_pow2(std::max(1u, o.inbox_capacity)),
          detail::round_up_pow2(std::max(1u, o.output_capacity))};
}

}  // namespace chroma2
