// SPDX-License-Identifier: BSD-3-Clause
// A Session fed by several producer threads at once: each thread submits its own events (a point
// source at a position of its own) and waits on their futures, while the session's single
// persistent worker propagates every event in flight together. Events complete in any order;
// each result carries its own number, tally and hits. Runs on CPU threads.
//   session_producers [--producers P] [--events E] [--photons N] [--threads T]
#include "../bench/support/cli.hpp"
#include "chroma2/chroma2.hpp"
#include "chroma2/io/default_detector.hpp"

#include <atomic>
#include <cstdio>
#include <future>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  using namespace chroma2;
  unsigned producers = 4, threads = 0;
  std::uint32_t events = 8;
  std::uint64_t photons = 5000;
  bench::CommandLine cli("a Session fed by several producer threads (CPU backend)");
  cli.option("--producers", producers, "threads submitting events");
  cli.option("--events", events, "events per producer");
  cli.option("--photons", photons, "photons per event");
  cli.option("--threads", threads, "worker threads (0: hardware threads)");
  cli.parse(argc, argv);

  DefaultDetectorOptions small;  // a smaller tank keeps the example quick
  small.tank_radius_mm = 3000;
  small.pmt_count = 1000;
  const DetectorSpec d = default_detector(small);
  MaterialSet<Host> materials(d.materials);
  SurfaceSet<Host> surfaces(d.surfaces);
  const TriangleGeometry<Host> geometry = build_geometry(d.scene);
  using Optics = OpticalPhysics<TriangleGeometryRef>;
  SessionOptions so;
  so.worker.seed = 7;
  so.worker.threads = threads;
  so.worker.max_events = 16;  // events in flight at once
  so.queue_capacity = 8;      // submit() blocks beyond this: backpressure on the producers
  Session<Optics, Host> session(Optics{geometry.ref(), materials.ref(), surfaces.ref()}, so);

  std::atomic<std::uint64_t> hits{0}, ended{0}, wrong{0};
  std::vector<std::jthread> pool;
  for (unsigned p = 0; p < producers; ++p)
    pool.emplace_back([&, p] {
      std::vector<std::future<EventResult>> mine;
      for (std::uint32_t e = 0; e < events; ++e) {
        const std::uint64_t number = 1000ull * p + e;  // the user's event number
        PointIsotropicSource s{.position = {100.0f * float(p), 0, 0},
                               .photon_count = photons,
                               .wavelength = WavelengthSpec::uniform(350, 500)};
        mine.push_back(
            session.submit(EventDescriptor<PointIsotropicSource>{.number = number, .source = s}));
      }
      for (std::uint32_t e = 0; e < events; ++e) {
        const EventResult r = mine[e].get();
        ended += r.tally.photons();
        hits += r.hits.size();
        // each result is its own event: its number, all its photons, hits stamped with it
        bool ok = r.number == 1000ull * p + e && r.tally.photons() == photons;
        for (const HitRecord& h : r.hits) ok = ok && h.event == r.number;
        wrong += !ok;
      }
    });
  pool.clear();  // joins the producers
  const SessionTelemetry t = session.telemetry();
  std::printf(
      "%u producers x %u events x %llu photons: %llu photons ended, %llu hits, "
      "%llu blocked submits, %.3g photons/s\n",
      producers, events, (unsigned long long)photons, (unsigned long long)ended.load(),
      (unsigned long long)hits.load(), (unsigned long long)t.blocked_submits, t.photons_per_second);
  return wrong == 0 && ended == std::uint64_t(producers) * events * photons ? 0 : 1;
}
