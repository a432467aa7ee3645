// SPDX-License-Identifier: BSD-3-Clause
// The streaming session on Chroma's demo detectors, with Chroma's tables and benchmark photons
// (origin, t = 0, isotropic, 400-800 nm), all runs on the same physics and RNG streams:
//   1. host to host: N photons through a Session (hits and tallies back) as one photon list, as
//      the same list in 50 events, and as a point-source descriptor (drawn at the first step)
//      that the worker expands from one run record ("source") or that the host expands and
//      copies ("source-host"), as a point source with a tabulated spectrum (flat over the same
//      400-800 nm, everything drawn at expansion) that the worker draws photon by photon from its
//      run ("spectrum") or the host expands ("spectrum-host"), against the device-only rate of the
//      same worker with every photon in its inbox before the clock starts (the detector benchmark's
//      worker run), and of that worker with the session's tuning, fed the list ("device-tuned") or
//      the point source as one run ("run-tuned"; as 16 runs of 16 events, "runs16-tuned") or the
//      list with its directions drawn at the first step in the worker, as a run's are
//      ("undrawn-tuned"), before it starts: what the session's worker settings and the run path
//      cost, apart from the session itself;
//   2. small events: E events of P photons, as photon lists and as point sources (runs),
//      submitted back to back by 1 and by 8 producer threads (events/s, median and p99 latency
//      from submit to result), against Chroma's relaunch driver on the same photons one event at
//      a time (copy in, steps, copy out) and batching B events per launch;
//   3. overlap: the share of the copy engines' time hidden behind propagation,
//      1 - max(0, session time - device-only time) / copy time.
// Checks: every photon ends once (tallies sum to the photons), hits = detected photons, the
// session's hits are the device-only run's (the same photons and streams) and the relaunch
// driver's detected photons per small event.
#include "bench/detector/gpu_drivers.cuh"
#include "bench/session/session_bench_options.hpp"
#include "bench/support/report.hpp"
#include "chroma2/config/cuda_check.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/io/chroma_demo.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/io/chroma_demo_surfaces.hpp"
#include "chroma2/physics/optical_physics.hpp"
#include "chroma2/physics/scene_tables.hpp"
#include "chroma2/runtime/session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <sstream>
#include <thread>
#include <vector>

using namespace chroma2;
using namespace chroma2::bench;

namespace {
using Clock = std::chrono::steady_clock;
using DetectorPhysics = OpticalPhysics<TriangleGeometryRef>;
using DetectorSession = Session<DetectorPhysics, Device>;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<Photon> event_photons(std::uint64_t n, std::uint32_t event) {
  std::vector<Photon> v = chroma_benchmark_photons(n);
  for (Photon& p : v) p.event = event;
  return v;
}

std::vector<std::uint64_t> sorted_ids(const std::vector<HitRecord>& hits) {
  std::vector<std::uint64_t> ids;
  ids.reserve(hits.size());
  for (const HitRecord& h : hits) ids.push_back(h.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Shared ids over the larger set.
double agreement(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  const std::size_t larger = std::max(a.size(), b.size());
  return larger ? double(both.size()) / double(larger) : 1.0;
}

bool conserved(const EventResult& r, std::uint64_t n) {
  return r.tally.photons() == n && r.tally[TerminalReason::alive] == 0 &&
         r.hits.size() == r.tally[TerminalReason::detected];
}

WorkerOptions worker_options(const SessionBenchOptions& opt) {
  WorkerOptions wo;
  wo.output = OutputTier::hits;
  wo.page_capacity = opt.page;
  wo.output_capacity = 1u << 20;
  wo.max_steps = opt.max_steps;
  wo.seed = opt.seed;
  return wo;
}

SessionOptions session_options(const SessionBenchOptions& opt) {
  SessionOptions so;
  so.worker = worker_options(opt);
  so.worker.inbox_capacity = opt.inbox;
  so.worker.max_events = opt.slots;
  so.feed_chunk = opt.feed_chunk;
  so.feed_threads = opt.feed_threads;
  so.poll_interval = std::chrono::microseconds(0);  // the GPU host has cores to spare: yield
  return so;
}

// ---- 1. host to host --------------------------------------------------------------------------

struct DeviceOnly {
  double seconds;
  std::vector<std::uint64_t> hit_ids;
  EventTally tally;
};

// The worker with every photon already in its inbox: the clock runs from start() to completion.
// With the session's tuning (Tuning = SessionTuning) it separates what the session's worker
// settings cost from what the session itself adds; `load` fills the stopped worker's event 0
// (photons into the inbox, or a run).
// With `slots` > 1, load fills event slots 0 to slots - 1 and the tally is their sum.
template <class Tuning = WorkerTuning, class Load>
DeviceOnly device_only(const DetectorPhysics& physics, std::size_t inbox,
                       const SessionBenchOptions& opt, Load&& load, std::uint32_t slots = 1) {
  WorkerOptions wo = worker_options(opt);
  wo.inbox_capacity = static_cast<std::uint32_t>(std::max<std::size_t>(inbox, 1));
  wo.max_events = slots;
  PersistentWorker<DetectorPhysics, Device, layout::Packed, Philox4x32Policy, Tuning> worker(
      physics, wo);
  std::vector<std::uint32_t> events(slots);
  for (std::uint32_t e = 0; e < slots; ++e) {
    events[e] = e;
    worker.open_event(e, e, OutputTier::hits);
  }
  load(worker);
  for (std::uint32_t e = 0; e < slots; ++e) worker.close_event(e);
  OutputRecords out;
  const auto t0 = Clock::now();
  worker.start();
  const bool done = worker.wait_events(events, out, std::chrono::minutes(5));
  const double seconds = since(t0);
  worker.stop();
  if (!done) fail("the device-only event did not complete", "", "");
  EventTally tally = worker.tally(0);
  for (std::uint32_t e = 1; e < slots; ++e) {
    const EventTally t = worker.tally(e);
    for (int k = 0; k < terminal_reason_count; ++k) tally.reasons[k] += t.reasons[k];
  }
  return {seconds, sorted_ids(out.hits), tally};
}

template <class Tuning = WorkerTuning>
DeviceOnly device_only(const DetectorPhysics& physics, const std::vector<Photon>& photons,
                       const SessionBenchOptions& opt) {
  return device_only<Tuning>(physics, photons.size(), opt, [&](auto& worker) {
    if (worker.submit(photons) != photons.size())
      fail("the inbox did not take every photon", "", "");
  });
}

struct HostToHost {
  const char* input;
  double seconds;
  double copy_seconds;
  std::uint64_t events;
  bool ok;
  double hits_vs_device;
};

// ---- 2. small events --------------------------------------------------------------------------

struct SmallRun {
  const char* input;  // list or source
  const char* driver;
  unsigned producers;
  std::uint32_t slots = 0, queue = 0;  // the session's window
  double seconds;
  std::vector<double> latency_ms;
  std::vector<double> in_flight_ms;  // session: slot opened to result (latency less queueing)
  std::vector<std::vector<std::uint64_t>> hit_ids;  // per event, sorted
};

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * double(v.size())))];
}

// Chroma's driver one event at a time, or `batch` events per launch: copy in, steps, copy out,
// each event's detected photons picked out on the host. An event's latency runs from the start
// of its batch (when all its events were there) to the batch's results.
SmallRun relaunch_events(const DetectorPhysics& physics,
                         const std::vector<std::vector<Photon>>& events, std::uint32_t batch,
                         const SessionBenchOptions& opt) {
  SmallRun r{"", batch == 1 ? "relaunch-1" : "relaunch-batch", 1, 0, 0, 0, {}, {}, {}};
  const std::size_t per = events.front().size();
  const std::size_t most = per * batch;
  Buffer<Photon, Device> d(most);
  RelaunchBuffers buffers(static_cast<std::uint32_t>(most));
  std::vector<Photon> joined(most);
  const auto t0 = Clock::now();
  for (std::size_t first = 0; first < events.size(); first += batch) {
    const auto b0 = Clock::now();
    const std::size_t k = std::min<std::size_t>(batch, events.size() - first);
    for (std::size_t e = 0; e < k; ++e)
      std::copy(events[first + e].begin(), events[first + e].end(), joined.begin() + e * per);
    const std::size_t n = k * per;
    Device::copy_from_host(d.data(), joined.data(), n * sizeof(Photon), {});
    relaunch_to_end(physics, d.data(), static_cast<std::uint32_t>(n), buffers, opt.seed,
                    opt.max_steps);
    Device::copy_to_host(joined.data(), d.data(), n * sizeof(Photon), {});
    Device::synchronize({});
    for (std::size_t e = 0; e < k; ++e) {
      std::vector<std::uint64_t> ids;
      for (std::size_t i = 0; i < per; ++i)
        if (joined[e * per + i].reason == TerminalReason::detected)
          ids.push_back(joined[e * per + i].id);
      r.hit_ids.push_back(std::move(ids));
    }
    const double latency = 1e3 * since(b0);
    for (std::size_t e = 0; e < k; ++e) r.latency_ms.push_back(latency);
  }
  r.seconds = since(t0);
  return r;
}

// The events through a session, submitted back to back by `producers` threads (0: one at a
// time, each submitted once the one before came back, so its latency holds no queueing, like the
// relaunch driver's one at a time): as the photon lists `events` (built before the clock starts),
// or, with `source`, as point sources of their size (event 1000 + e, as the lists' numbers),
// which the worker expands from runs.
SmallRun session_events(DetectorSession& session, const std::vector<std::vector<Photon>>& events,
                        unsigned producers, const PointIsotropicSource* source) {
  SmallRun r{source ? "source" : "list",
             producers ? "session" : "session-1",
             producers,
             session.options().worker.max_events,
             session.options().queue_capacity,
             0,
             {},
             {},
             {}};
  std::vector<std::future<EventResult>> futures(events.size());
  std::vector<PhotonListEvent> built(source ? 0 : events.size());
  for (std::size_t e = 0; e < built.size(); ++e)
    built[e] = PhotonListEvent{.number = events[e].front().event, .photons = events[e]};
  const auto submit = [&](std::size_t e) {
    return source ? session.submit(EventDescriptor<PointIsotropicSource>{.number = 1000 + e,
                                                                         .source = *source})
                  : session.submit(std::move(built[e]));
  };
  std::vector<EventResult> serial;
  const auto t0 = Clock::now();
  if (producers == 0) {
    for (std::size_t e = 0; e < events.size(); ++e) serial.push_back(submit(e).get());
  } else {
    std::vector<std::jthread> threads;
    for (unsigned p = 0; p < producers; ++p)
      threads.emplace_back([&, p] {
        for (std::size_t e = p; e < events.size(); e += producers) futures[e] = submit(e);
      });
  }
  r.hit_ids.resize(events.size());
  for (std::size_t e = 0; e < events.size(); ++e) {
    EventResult res = producers ? futures[e].get() : std::move(serial[e]);
    r.latency_ms.push_back(res.latency_ms);
    r.in_flight_ms.push_back(res.propagation_ms);
    r.hit_ids[e] = sorted_ids(res.hits);
    if (!conserved(res, events[e].size())) fail("a small event lost photons", "", "");
  }
  r.seconds = since(t0);
  return r;
}

// The session's telemetry as a JSON line of its own.
void print_telemetry(const std::string& what, const SessionTelemetry& t) {
  std::ostringstream js;
  write_json(js, t);
  std::printf("{\"bench\":\"session_telemetry\",\"run\":\"%s\",\"telemetry\":%s}\n", what.c_str(),
              js.str().c_str());
  std::printf(
      "# %s: host time expanding %.1f ms, feeding %.1f ms, draining %.1f ms, decoding %.1f ms; "
      "copy engines in %.1f ms (%.1f GB/s), out %.1f ms; busy %.1f ms\n",
      what.c_str(), 1e-6 * double(t.expand_ns), 1e-6 * double(t.feed_ns), 1e-6 * double(t.drain_ns),
      1e-6 * double(t.decode_ns), 1e-6 * double(t.copies.in_ns),
      t.copies.in_ns ? double(t.copies.in_bytes) / double(t.copies.in_ns) : 0.0,
      1e-6 * double(t.copies.out_ns), 1e3 * t.busy_s);
}

// The floor of the photon copies: pinned host to device over PCIe, alone (no kernel running).
double h2d_bytes_per_s(std::size_t bytes) {
  Buffer<unsigned char, Pinned> host(bytes);
  Buffer<unsigned char, Device> dev(bytes);
  std::memset(host.data(), 1, bytes);
  Device::copy_from_host(dev.data(), host.data(), bytes, {});  // warm
  Device::synchronize({});
  const auto t0 = Clock::now();
  for (int k = 0; k < 3; ++k) Device::copy_from_host(dev.data(), host.data(), bytes, {});
  Device::synchronize({});
  return 3.0 * double(bytes) / since(t0);
}

}  // namespace

int run(const SessionBenchOptions& opt) {
  int dev = 0;
  cudaDeviceProp prop{};
  CHROMA2_CUDA_TRY(cudaGetDevice(&dev));
  CHROMA2_CUDA_TRY(cudaGetDeviceProperties(&prop, dev));
  std::printf(
      "# GPU: %s (%d SMs); session: %u expanding threads, %u slots, small events queue %u\n",
      prop.name, prop.multiProcessorCount, feed_threads(session_options(opt)), opt.slots,
      opt.queue);
  const auto dir = opt.data / "chroma-demo";
  const auto material_specs = load_chroma_demo_materials(dir);
  const auto surface_specs = load_chroma_demo_surfaces(dir);
  MaterialSet<Device> materials(material_specs);
  SurfaceSet<Device> surfaces(surface_specs);
  check_surface_models<StandardSurfaceModels>(surface_specs);
  const double h2d = h2d_bytes_per_s(std::size_t{opt.photons} * sizeof(InboxRecord));
  std::printf(
      "# floors: pinned host-to-device copy %.1f GB/s alone, i.e. %.0f M photons/s at %zu B a "
      "photon\n",
      1e-9 * h2d, 1e-6 * h2d / double(sizeof(InboxRecord)), sizeof(InboxRecord));
  JsonLine()
      .add("bench", "session_floors")
      .add("gpu", prop.name)
      .add("h2d_bytes_per_s", h2d)
      .print();
  bool all_ok = true;
  const std::vector<Photon> list = chroma_benchmark_photons(opt.photons);
  const std::vector<Photon> list_drawn = drawn(list, opt.seed);
  std::vector<std::vector<Photon>> small, small_drawn, small_source_drawn;
  for (std::uint32_t e = 0; e < opt.small_events; ++e) {
    small.push_back(event_photons(opt.event_photons, 1000 + e));
    small_drawn.push_back(drawn(small.back(), opt.seed));
  }
  // the small events as point sources (Chroma's photons: origin, isotropic, 400-800 nm), and
  // the same photons expanded and drawn here for the relaunch driver
  PointIsotropicSource small_source;
  small_source.photon_count = opt.event_photons;
  small_source.wavelength = WavelengthSpec::uniform(400, 800);
  small_source.draw_at_first_step = 1;
  for (std::uint32_t e = 0; e < opt.small_events; ++e)
    small_source_drawn.push_back(drawn(expand(small_source, opt.seed, 1000 + e), opt.seed));
  const auto point_source = [&](std::uint64_t n) {
    PointIsotropicSource src = small_source;
    src.photon_count = n;
    return src;
  };
  // the same photons' distribution from a point source with a tabulated spectrum (flat, 400-800
  // nm), everything drawn at expansion: the worker draws each photon from the source on the GPU
  // ("spectrum", the table in device memory) or the host expands it ("spectrum-host")
  const SpectralTable flat{{400.0, 800.0}, {1.0, 1.0}};
  const Spectrum<Device> device_spectrum(flat, "flat 400-800 nm");
  const Spectrum<Host> host_spectrum(flat, "flat 400-800 nm");
  const auto spectrum_source = [&](std::uint64_t n, const SpectrumRef& spectrum) {
    PointIsotropicSource src = point_source(n);
    src.draw_at_first_step = 0;
    src.wavelength = WavelengthSpec::tabulated(spectrum);
    return src;
  };
  for (const std::string& detector : opt.detectors) {
    const Scene scene = load_chroma_demo(dir, detector);
    check_scene_tables(scene, materials.size(), surfaces.size());
    const TriangleGeometry<Host> built = build_geometry(scene);
    const TriangleGeometry<Device> geometry(built);
    const DetectorPhysics physics{geometry.ref(), materials.ref(), surfaces.ref()};

    // ---- 1 and 3: host to host, overlap
    const DeviceOnly base = device_only(physics, list_drawn, opt);
    // the same without the session: the list with the session's worker tuning, and the point
    // source as one run posted to that worker before it starts
    const DeviceOnly base_tuned = device_only<SessionTuning>(physics, list_drawn, opt);
    const DeviceOnly run_tuned = device_only<SessionTuning>(physics, 1, opt, [&](auto& worker) {
      const PointIsotropicSource src = point_source(opt.photons);
      worker.post_run(0, source_photon(src, 0, opt.seed, 0), 0, src.count());
    });
    // the list as given, its photons' directions drawn at their first step in the worker, as a
    // run's are
    const DeviceOnly undrawn_tuned = device_only<SessionTuning>(physics, list, opt);
    // the same number of photons as 16 runs of 16 events (groups spread over 16 run words)
    const DeviceOnly runs16_tuned = device_only<SessionTuning>(
        physics, 1, opt,
        [&](auto& worker) {
          const PointIsotropicSource src = point_source(opt.photons / 16);
          for (std::uint32_t e = 0; e < 16; ++e)
            worker.post_run(e, source_photon(src, 0, opt.seed, e), 0, src.count());
        },
        16);
    std::vector<HostToHost> h2h;
    // one event of a point source through the session, its result moved out (no copy of its hits
    // inside the timed region)
    const auto one_event = [](DetectorSession& session, const PointIsotropicSource& source) {
      std::vector<EventResult> v;
      v.push_back(
          session.submit(EventDescriptor<PointIsotropicSource>{.number = 0, .source = source})
              .get());
      return v;
    };
    const auto measure_in = [&](DetectorSession& session, const char* input, auto&& submit_all) {
      const CopyTelemetry c0 = session.telemetry().copies;
      const auto t0 = Clock::now();
      std::vector<EventResult> results = submit_all();
      const double s = since(t0);
      const CopyTelemetry c1 = session.telemetry().copies;
      std::vector<HitRecord> hits;
      std::uint64_t photons = 0;
      bool ok = true;
      for (EventResult& r : results) {
        photons += r.primaries;
        ok = ok && r.tally.photons() == r.primaries && r.tally[TerminalReason::alive] == 0 &&
             r.hits.size() == r.tally[TerminalReason::detected];
        hits.insert(hits.end(), r.hits.begin(), r.hits.end());
      }
      ok = ok && photons == opt.photons;
      double agree = 0;
      if (std::string(input) != "list") {
        // other photons or streams (the ids restart in each of the 50 events; the source draws
        // on the device), the same physics: the detected fraction within 5 sigma of the
        // device-only run's
        const double p = double(base.tally[TerminalReason::detected]) / double(opt.photons);
        const double sigma = std::sqrt(2.0 * p * (1 - p) / double(opt.photons));
        const double q = double(hits.size()) / double(opt.photons);
        agree = std::fabs(p - q) / sigma;
        ok = ok && agree < 5;
      } else {  // the very photons and streams of the device-only run: the same hits
        agree = agreement(sorted_ids(hits), base.hit_ids);
        ok = ok && agree > 0.999;
      }
      const double copy_s = 1e-9 * double((c1.in_ns - c0.in_ns) + (c1.out_ns - c0.out_ns));
      h2h.push_back({input, s, copy_s, results.size(), ok, agree});
    };
    {
      DetectorSession session(physics, session_options(opt));
      session.submit(PhotonListEvent{.number = 999999, .photons = small.front()}).get();  // warm
      const auto measure = [&](const char* input, auto&& submit_all) {
        measure_in(session, input, submit_all);
      };
      // the events are built before the clock starts: a list is the caller's, moved in
      PhotonListEvent whole{.number = 0, .photons = list};
      measure("list", [&] {
        std::vector<EventResult> v;
        v.push_back(session.submit(std::move(whole)).get());
        return v;
      });
      std::vector<PhotonListEvent> parts;
      const std::uint64_t per = opt.photons / 50;
      for (std::uint64_t e = 0; e < 50; ++e)
        parts.push_back(PhotonListEvent{
            .number = e + 1,
            .photons = std::vector<Photon>(list.begin() + e * per,
                                           e == 49 ? list.end() : list.begin() + (e + 1) * per)});
      measure("list-50", [&] {
        std::vector<std::future<EventResult>> f;
        for (PhotonListEvent& ev : parts) f.push_back(session.submit(std::move(ev)));
        std::vector<EventResult> v;
        for (auto& x : f) v.push_back(x.get());
        return v;
      });
      measure("source", [&] { return one_event(session, point_source(opt.photons)); });
      measure("spectrum", [&] {
        return one_event(session, spectrum_source(opt.photons, device_spectrum.ref()));
      });
      session.close();
      print_telemetry(detector + " host to host", session.telemetry());
    }
    {  // the same source expanded on the host and copied in, photon by photon
      SessionOptions so = session_options(opt);
      so.uniform_runs = false;
      so.source_runs = false;
      DetectorSession session(physics, so);
      session.submit(PhotonListEvent{.number = 999999, .photons = small.front()}).get();  // warm
      measure_in(session, "source-host",
                 [&] { return one_event(session, point_source(opt.photons)); });
      measure_in(session, "spectrum-host", [&] {
        return one_event(session, spectrum_source(opt.photons, host_spectrum.ref()));
      });
      session.close();
      print_telemetry(detector + " host to host, sources expanded on the host",
                      session.telemetry());
    }
    Table table({{"detector", 8, Align::left},
                 {"input", 13, Align::left},
                 {"photons", 8},
                 {"events", 6},
                 {"seconds", 8},
                 {"photons/s", 10},
                 {"vs_device", 9},
                 {"copy_s", 8},
                 {"hidden", 7},
                 {"check", 8}});
    table.print_header();
    table.print_row({detector, "device", str_printf("%llu", (unsigned long long)opt.photons), "1",
                     str_printf("%.4f", base.seconds),
                     str_printf("%.4g", double(opt.photons) / base.seconds), "1.00", "-", "-",
                     "-"});
    for (const auto& [name, d] :
         {std::pair{"device-tuned", &base_tuned}, std::pair{"run-tuned", &run_tuned},
          std::pair{"runs16-tuned", &runs16_tuned}, std::pair{"undrawn-tuned", &undrawn_tuned}}) {
      const bool ok = d->tally.photons() == opt.photons && d->tally[TerminalReason::alive] == 0 &&
                      d->hit_ids.size() == d->tally[TerminalReason::detected];
      all_ok = all_ok && ok;
      table.print_row(
          {detector, name, str_printf("%llu", (unsigned long long)opt.photons), "1",
           str_printf("%.4f", d->seconds), str_printf("%.4g", double(opt.photons) / d->seconds),
           str_printf("%.3f", base.seconds / d->seconds), "-", "-", ok ? "ok" : "FAILED"});
      JsonLine()
          .add("bench", "session_device_only")
          .add("gpu", prop.name)
          .add("detector", detector)
          .add("input", name)
          .add("photons", opt.photons)
          .add("seconds", d->seconds)
          .add("photons_per_s", double(opt.photons) / d->seconds)
          .add("vs_device_only", base.seconds / d->seconds)
          .add("ok", ok)
          .print();
    }
    for (const HostToHost& h : h2h) {
      const double hidden =
          h.copy_seconds > 0
              ? std::clamp(1.0 - std::max(0.0, h.seconds - base.seconds) / h.copy_seconds, 0.0, 1.0)
              : 1.0;
      all_ok = all_ok && h.ok;
      table.print_row(
          {detector, h.input, str_printf("%llu", (unsigned long long)opt.photons),
           str_printf("%llu", (unsigned long long)h.events), str_printf("%.4f", h.seconds),
           str_printf("%.4g", double(opt.photons) / h.seconds),
           str_printf("%.3f", base.seconds / h.seconds), str_printf("%.4f", h.copy_seconds),
           str_printf("%.3f", hidden), h.ok ? "ok" : "FAILED"});
      JsonLine()
          .add("bench", "session_host_to_host")
          .add("gpu", prop.name)
          .add("detector", detector)
          .add("input", h.input)
          .add("photons", opt.photons)
          .add("events", h.events)
          .add("max_steps", opt.max_steps)
          .add("seconds", h.seconds)
          .add("photons_per_s", double(opt.photons) / h.seconds)
          .add("device_only_seconds", base.seconds)
          .add("device_only_photons_per_s", double(opt.photons) / base.seconds)
          .add("vs_device_only", base.seconds / h.seconds)
          .add("copy_seconds", h.copy_seconds)
          .add("copy_hidden", hidden)
          .add(h.input == std::string("list") ? "hits_vs_device_only" : "detected_z",
               h.hits_vs_device)
          .add("ok", h.ok)
          .print();
    }

    // ---- 2: small events
    for (const bool as_source : {false, true}) {
      const char* input = as_source ? "source" : "list";
      const auto& baseline_photons = as_source ? small_source_drawn : small_drawn;
      std::vector<SmallRun> runs;
      runs.push_back(relaunch_events(physics, baseline_photons, 1, opt));
      runs.push_back(relaunch_events(physics, baseline_photons, opt.batch, opt));
      for (SmallRun& r : runs) r.input = input;
      // the session with a wide window (throughput) and a narrow one (latency: an event waits
      // behind fewer others)
      for (const auto& [slots, queue] : {std::pair{opt.slots, opt.queue}, std::pair{8u, 4u}}) {
        SessionOptions so = session_options(opt);
        so.worker.max_events = slots;
        so.queue_capacity = queue;  // producers wait rather than queue far ahead
        DetectorSession session(physics, so);
        session.submit(PhotonListEvent{.number = 999999, .photons = small.front()}).get();  // warm
        for (unsigned p : opt.producers)
          runs.push_back(session_events(session, small, p, as_source ? &small_source : nullptr));
        if (slots == 8)  // the pipeline's own latency, as the relaunch driver's one at a time
          runs.push_back(session_events(session, small, 0, as_source ? &small_source : nullptr));
        session.close();
        print_telemetry(detector + " small events (" + input + ") " + std::to_string(slots) + "x" +
                            std::to_string(queue),
                        session.telemetry());
      }
      Table st({{"detector", 8, Align::left},
                {"input", 6, Align::left},
                {"driver", 14, Align::left},
                {"producers", 9},
                {"window", 6},
                {"events", 7},
                {"events/s", 9},
                {"median_ms", 9},
                {"p99_ms", 8},
                {"flight_ms", 9},
                {"vs_one", 7},
                {"vs_batch", 8},
                {"hits_agree", 10}});
      st.print_header();
      const double one_rate = double(opt.small_events) / runs[0].seconds;
      const double batch_rate = double(opt.small_events) / runs[1].seconds;
      const double one_median = percentile(runs[0].latency_ms, 0.5);
      for (const SmallRun& r : runs) {
        double agree = 0;
        std::size_t same = 0, total = 0;
        for (std::size_t e = 0; e < r.hit_ids.size(); ++e) {
          std::vector<std::uint64_t> both;
          std::set_intersection(r.hit_ids[e].begin(), r.hit_ids[e].end(),
                                runs[0].hit_ids[e].begin(), runs[0].hit_ids[e].end(),
                                std::back_inserter(both));
          same += both.size();
          total += std::max(r.hit_ids[e].size(), runs[0].hit_ids[e].size());
        }
        agree = total ? double(same) / double(total) : 1.0;
        const bool ok = agree > 0.999;
        all_ok = all_ok && ok;
        const double rate = double(opt.small_events) / r.seconds;
        st.print_row({detector, r.input, r.driver, str_printf("%u", r.producers),
                      r.slots ? str_printf("%ux%u", r.slots, r.queue) : std::string("-"),
                      str_printf("%u", opt.small_events), str_printf("%.4g", rate),
                      str_printf("%.3f", percentile(r.latency_ms, 0.5)),
                      str_printf("%.3f", percentile(r.latency_ms, 0.99)),
                      r.in_flight_ms.empty() ? std::string("-")
                                             : str_printf("%.3f", percentile(r.in_flight_ms, 0.5)),
                      str_printf("%.2f", rate / one_rate), str_printf("%.2f", rate / batch_rate),
                      str_printf("%.5f", agree)});
        JsonLine()
            .add("bench", "session_small_events")
            .add("gpu", prop.name)
            .add("detector", detector)
            .add("input", r.input)
            .add("driver", r.driver)
            .add("producers", r.producers)
            .add("slots", r.slots)
            .add("queue", r.queue)
            .add("events", opt.small_events)
            .add("photons_per_event", opt.event_photons)
            .add("batch", r.driver == std::string("relaunch-batch") ? opt.batch : 1u)
            .add("seconds", r.seconds)
            .add("events_per_s", rate)
            .add("median_latency_ms", percentile(r.latency_ms, 0.5))
            .add("p99_latency_ms", percentile(r.latency_ms, 0.99))
            .add("median_in_flight_ms", percentile(r.in_flight_ms, 0.5))
            .add("vs_relaunch_one", rate / one_rate)
            .add("vs_relaunch_batch", rate / batch_rate)
            .add("median_vs_relaunch_one", percentile(r.latency_ms, 0.5) / one_median)
            .add("hits_vs_relaunch_one", agree)
            .add("ok", ok)
            .print();
      }
    }
  }
  std::printf("# %s\n", all_ok ? "all checks passed" : "CHECK FAILED");
  return all_ok ? 0 : 1;
}

int main(int argc, char** argv) {
  try {
    return run(parse_session_bench_options(argc, argv));
  } catch (const chroma2::Error& e) {
    std::fprintf(stderr, "bench_session: %s\n", e.what());
    return 2;
  }
}
