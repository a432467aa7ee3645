// SPDX-License-Identifier: BSD-3-Clause
// The ring benchmarks' command line (ring_options.hpp): the shared flags, the GPU-only and the
// host-only ones, and the checks across them.
#include "bench/ring/ring_options.hpp"

#include "bench/support/cli.hpp"

namespace chroma2::bench {

RingBenchOptions parse_ring_options(int argc, char** argv, bool gpu, RingBenchOptions o) {
  CommandLine cli(gpu ? "DeviceRing throughput on one GPU against a per-item ticket queue, every "
                        "run checked for exactly-once delivery"
                      : "DeviceRing throughput on host threads against a per-item ticket queue, "
                        "every run checked for exactly-once delivery");
  const std::uint64_t max_items = std::uint64_t(1) << 31;
  bool quick = false;
  cli.option("--items", o.items, "items per run for warp32/chunk128 claims, 1 to 2^31")
      ->check(in_range<std::uint64_t>(1, max_items));
  cli.option("--items-per-item", o.items_per_item,
             "items per run for thread claims and the broker (0: items/8)");
  cli.option("--reps", o.reps,
             "timed repeats (at least 1), median reported, plus one untimed warm-up")
      ->check(in_range(1));
  cli.flag("--quick", quick,
           gpu ? "small sizes for a smoke run: 2^24 items (an explicit --items wins)"
               : "small sizes for a smoke run: 2^20 items (an explicit --items wins)");
  cli.repeatable("--capacity", o.capacities,
                 "ring capacity, a power of two in [32, 2^30] (repeatable)");
  cli.option("--atomic-rate", o.atomic_rate,
             "same-address atomics/s one counter sustains (for the printed floors)");
  if (gpu) {
    cli.option("--timeout", o.timeout_s, "seconds before a run that does not finish is a hang");
    cli.option("--bandwidth", o.bandwidth,
               "bytes/s (read + write) for the bandwidth floor (0: by device)");
    cli.repeatable("--only", o.only,
                   "run only broker, thread, warp32 or chunk128 (repeatable; for a profiler); "
                   "rows without the broker show no ratio")
        ->check(CLI::IsMember({"broker", "thread", "warp32", "chunk128"}));
    cli.option("--backoff-max", o.backoff_max_ns,
               "cap of the __nanosleep backoff after a claim of 0, ns")
        ->check(in_range(32u, 1u << 30));
  } else {
    cli.option("--threads", o.max_threads, "largest thread count (0: hardware threads)")
        ->check(in_range(0));
  }
  cli.parse(argc, argv);

  if (quick && !cli.given("--items"))
    o.items = gpu ? std::uint64_t(1) << 24 : std::uint64_t(1) << 20;
  if (o.items_per_item == 0) o.items_per_item = std::max<std::uint64_t>(o.items / 8, 1);
  if (o.items_per_item > o.items)
    cli.fail("--items-per-item " + std::to_string(o.items_per_item) + " is above --items " +
             std::to_string(o.items));
  for (const std::uint64_t c : o.capacities)
    if (c < 32 || (c & (c - 1)) != 0 || c > (std::uint64_t(1) << 30))
      cli.fail("--capacity " + std::to_string(c) + " must be a power of two in [32, 2^30]");
  return o;
}

}  // namespace chroma2::bench
