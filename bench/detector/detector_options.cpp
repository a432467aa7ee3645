// SPDX-License-Identifier: BSD-3-Clause
// The detector benchmark's command line (detector_options.hpp).
#include "bench/detector/detector_options.hpp"

#include "bench/support/cli.hpp"

namespace chroma2::bench {

DetectorBenchOptions parse_detector_bench_options(int argc, char** argv) {
  DetectorBenchOptions o;
  std::string data;
  CommandLine cli(
      "Chroma's demo detectors with Chroma's tables and benchmark workload (photons from the "
      "centre, isotropic, 400-800 nm): the persistent worker against Chroma's relaunch driver "
      "and one thread per photon, same physics and photons; every run checked");
  cli.option("data", data,
             "the shared data folder (default: CHROMA2_DATA_DIR, else ../shared/data next to the "
             "sources)");
  cli.repeatable("--detector", o.detectors, "tiny or full (repeatable)");
  cli.repeatable("--photons", o.photons, "photons per run (repeatable)")
      ->check(in_range<std::uint64_t>(1, 1u << 26));
  cli.repeatable("--max-steps", o.max_steps, "step limit per photon (repeatable)")
      ->check(in_range<std::uint32_t>(1, 65535));
  cli.option("--seed", o.seed, "run seed");
  cli.option("--long-tail", o.long_tail,
             "GPU: also run the long-tail water (2 m Rayleigh, re-emitting) (default true)");
  cli.option("--long-tail-steps", o.long_tail_steps, "GPU: step limit of the long-tail runs")
      ->check(in_range<std::uint32_t>(1, 65535));
  cli.option("--refill-lanes", o.refill_lanes,
             "worker: refill once this many lanes are empty (0: default)");
  cli.option("--idle-threshold", o.idle_threshold,
             "worker: idle iterations before a group sleeps (0: default)");
  cli.option("--micro-steps", o.micro_steps, "worker: steps per photon per visit (0: default)");
  cli.option("--page", o.page, "worker: photon slots")->check(in_range<std::uint32_t>(2, 1u << 30));
  cli.option("--grid", o.grid, "worker: blocks (0: occupancy x SMs)");
  cli.option("--threads", o.threads, "host: threads (0: hardware threads)");
  cli.parse(argc, argv);
  o.photons_given = cli.given("--photons");
  o.data = demo_data_or_skip(data, o.detectors);
  return o;
}

}  // namespace chroma2::bench
