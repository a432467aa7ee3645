// SPDX-License-Identifier: BSD-3-Clause
// The queue harness on the persistent worker (host backend): N primaries over several events,
// each touched `touches` times with a periodic secondary, submitted to the running worker in
// batches and drained while it runs. Prints the counts and exits non-zero when an invariant fails.
//   queue_harness [--primaries N] [--touches T] [--spawn-interval S] [--events E]
//                 [--threads K] [--page P] [--micro-steps M] [--idle-threshold I]
#include "../bench/support/cli.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/physics/synthetic.hpp"

#include <chrono>
#include <cstdio>
#include <set>
#include <vector>

using namespace chroma2;

int main(int argc, char** argv) {
  std::uint32_t primaries = 100000, touches = 10, interval = 3, events = 4, page = 1u << 14;
  std::uint32_t micro = 8, idle = 64;
  unsigned threads = 0;
  bench::CommandLine cli(
      "The queue harness on the persistent worker (host backend): primaries over several "
      "events, each touched T times with a periodic secondary, submitted while it runs");
  cli.option("--primaries", primaries, "primary photons");
  cli.option("--touches", touches, "steps of each primary (0: 1)");
  cli.option("--spawn-interval", interval,
             "a secondary every this many touches of a primary (0: none)");
  cli.option("--events", events, "events the primaries are spread over (0: 1)");
  cli.option("--threads", threads, "worker threads (0: hardware threads)");
  cli.option("--page", page, "photon slots of the worker's page");
  cli.option("--micro-steps", micro, "steps per photon per visit");
  cli.option("--idle-threshold", idle, "idle iterations before a thread backs off");
  cli.parse(argc, argv);
  if (events == 0) events = 1;
  const QueueHarness harness{touches, interval, 1.0f};
  WorkerOptions o;
  o.output = OutputTier::photons;
  o.page_capacity = page;
  o.threads = threads;
  o.micro_steps = micro;
  o.idle_threshold = idle;
  o.max_events = events;
  try {
    PersistentWorker<QueueHarness> worker(harness, o);
    const auto t0 = std::chrono::steady_clock::now();
    worker.start();
    std::vector<Photon> out;
    out.reserve(primaries + harness.expected_spawned(primaries));
    // interleave the events in batches of 1000
    std::vector<Photon> batch;
    for (std::uint32_t first = 0; first < primaries; first += 1000) {
      batch.clear();
      for (std::uint32_t i = first; i < primaries && i < first + 1000; ++i) {
        Photon p{};
        p.id = i;
        p.event = i % events;
        p.direction = {0, 0, 1};
        p.polarisation = {1, 0, 0};
        batch.push_back(p);
      }
      worker.submit_all(batch, out);
    }
    std::vector<std::uint32_t> ids;
    for (std::uint32_t e = 0; e < events; ++e) {
      worker.close_event(e);
      ids.push_back(e);
    }
    const bool done = worker.wait_events(ids, out, std::chrono::seconds(300));
    worker.stop();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const WorkerTelemetry t = worker.telemetry();
    std::uint64_t bad = 0, secondaries = 0;
    std::set<std::uint64_t> seen;
    for (const Photon& p : out) {
      if (!seen.insert(p.id).second) ++bad;
      if (p.generation == 0) {
        bad += p.steps != (touches ? touches : 1) ||
               p.weight != static_cast<float>(touches ? touches : 1);
      } else {
        ++secondaries;
        bad += p.steps != 1 || p.weight != 1.0f;
      }
    }
    bool conserved = true;
    for (std::uint32_t e = 0; e < events; ++e) {
      const EventStatus st = worker.event_status(e);
      conserved = conserved && st.complete() && st.finished == st.submitted + st.spawned;
    }
    std::printf(
        "queue harness: %u primaries, %llu secondaries (expected %llu), %zu finished, "
        "%lld steps in %.3f s on %u threads, %lld pending retries, %lld idle back-offs\n",
        primaries, static_cast<unsigned long long>(secondaries),
        static_cast<unsigned long long>(harness.expected_spawned(primaries)), out.size(),
        static_cast<long long>(t.steps), s, worker.groups(),
        static_cast<long long>(t.pending_retries), static_cast<long long>(t.idle_backoffs));
    const bool ok = done && bad == 0 && conserved &&
                    secondaries == harness.expected_spawned(primaries) &&
                    out.size() == primaries + secondaries;
    std::printf("%s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
