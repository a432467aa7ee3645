// SPDX-License-Identifier: BSD-3-Clause
// The session benchmark's command line (session_bench_options.hpp).
#include "bench/session/session_bench_options.hpp"

#include "bench/support/cli.hpp"

namespace chroma2::bench {

SessionBenchOptions parse_session_bench_options(int argc, char** argv) {
  SessionBenchOptions o;
  std::string data;
  CommandLine cli(
      "The streaming session on Chroma's demo detectors: host to host (photon lists and source "
      "descriptors in, hits out) against the device-only rate; many small events from one and "
      "several producer threads against Chroma's relaunch driver one event at a time and "
      "batching events; the share of copy time hidden behind propagation; every run checked");
  cli.option("data", data,
             "the shared data folder (default: CHROMA2_DATA_DIR, else ../shared/data next to the "
             "sources)");
  cli.repeatable("--detector", o.detectors, "tiny or full (repeatable)");
  cli.option("--photons", o.photons, "photons of the host-to-host runs")
      ->check(in_range<std::uint64_t>(1, 1u << 26));
  cli.option("--max-steps", o.max_steps, "step limit per photon")
      ->check(in_range<std::uint32_t>(1, 65535));
  cli.option("--small-events", o.small_events, "events of the small-event runs")
      ->check(in_range<std::uint32_t>(1, 1u << 20));
  cli.option("--event-photons", o.event_photons, "photons per small event")
      ->check(in_range<std::uint32_t>(1, 1u << 20));
  cli.repeatable("--producers", o.producers, "producer threads of the small-event runs")
      ->check(in_range<unsigned>(1, 256));
  cli.option("--batch", o.batch, "events per launch of the batching baseline")
      ->check(in_range<std::uint32_t>(1, 1u << 16));
  cli.option("--feed-threads", o.feed_threads, "session: expanding threads (0: automatic)")
      ->check(in_range<unsigned>(0, 64));
  cli.option("--queue", o.queue, "session: events queued before submit() waits (small events)")
      ->check(in_range<std::uint32_t>(1, 1u << 20));
  cli.option("--slots", o.slots, "session: events in flight")
      ->check(in_range<std::uint32_t>(1, 1u << 20));
  cli.option("--inbox", o.inbox, "worker: inbox records")
      ->check(in_range<std::uint32_t>(1, 1u << 26));
  cli.option("--feed-chunk", o.feed_chunk, "session: photons expanded per turn")
      ->check(in_range<std::uint32_t>(1, 1u << 24));
  cli.option("--page", o.page, "worker: photon slots")->check(in_range<std::uint32_t>(2, 1u << 30));
  cli.option("--seed", o.seed, "run seed");
  cli.parse(argc, argv);
  o.data = demo_data_or_skip(data, o.detectors);
  return o;
}

}  // namespace chroma2::bench
