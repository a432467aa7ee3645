// SPDX-License-Identifier: BSD-3-Clause
// The worker benchmarks' command line (worker_options.hpp); both backends take the same options
// (the GPU ignores --threads, the host --grid and --refill-lanes).
#include "bench/worker/worker_options.hpp"

#include "bench/support/cli.hpp"

namespace chroma2::bench {

WorkerBenchOptions parse_worker_bench_options(int argc, char** argv) {
  WorkerBenchOptions o;
  CommandLine cli(
      "The persistent worker against a per-step relaunch driver and a thread-per-photon driver "
      "on the same photons and physics; every run checked");
  bool quick = false;
  cli.repeatable("--photons", o.photons, "photons per run (repeatable; at most 2^32 - 1)")
      ->check(in_range<std::uint64_t>(1, UINT32_MAX));
  cli.option("--spawn", o.spawn,
             "spawn probability per primary step for the worker+spawn run (0: no such run)");
  cli.option("--micro-steps", o.micro_steps, "physics steps per photon per visit of the worker");
  cli.option("--refill-lanes", o.refill_lanes,
             "GPU: a warp claims new photons once this many lanes are empty");
  cli.option("--grid", o.grid, "GPU: blocks of the worker (0: occupancy x SMs)");
  cli.option("--threads", o.threads, "host: threads (0: 1, 2, 4, ... up to all hardware threads)");
  cli.option("--bandwidth", o.bandwidth,
             "bytes/s for the floor (0: by device, or 20e9 on the host)");
  cli.flag("--quick", quick, "one run of 10^5 photons (an explicit --photons wins)");
  cli.parse(argc, argv);
  if (quick && !cli.given("--photons")) o.photons = {100000};
  return o;
}

}  // namespace chroma2::bench
