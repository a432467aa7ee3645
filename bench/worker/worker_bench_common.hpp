// SPDX-License-Identifier: BSD-3-Clause
// What the GPU and host worker benchmarks share: the synthetic photons, the relaunch drivers' one
// step (the worker's physics, RNG stream and step cap), the checks of every run (no photon lost or
// duplicated, step totals) and the report: table rows, JSON lines, ratios (report_runs).
#pragma once

#include "bench/support/report.hpp"
#include "bench/worker/worker_options.hpp"
#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/physics/synthetic.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace chroma2::bench {

// n primaries of event 0 with ids 0..n-1.
inline std::vector<Photon> bench_photons(std::uint64_t n) {
  std::vector<Photon> v(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    Photon p{};
    p.position = {0.0f, 0.0f, 0.0f};
    p.direction = {0.0f, 0.0f, 1.0f};
    p.polarisation = {1.0f, 0.0f, 0.0f};
    p.wavelength = 420.0f;
    p.weight = 1.0f;
    p.id = i;
    p.event = 0;
    v[i] = p;
  }
  return v;
}

// One step of the relaunch drivers by the worker's own rule (take_step: the step counted, the
// reason or the step cap ends the photon), so the baseline keeps the worker's semantics by
// construction. Spawn is off for these drivers. Returns whether the photon is still alive.
CHROMA2_HD inline bool relaunch_step(const SyntheticSteps& physics, Photon& p,
                                     StepContext<Philox4x32Policy>& ctx, std::uint32_t max_steps) {
  return take_step(physics, p, ctx, max_steps).reason == TerminalReason::alive;
}

struct DriverResult {
  const char* backend;
  const char* driver;
  std::uint64_t photons;
  std::uint64_t steps;
  double seconds;          // propagation (for the worker: host to host, feeding and draining)
  double bytes_per_step;   // modelled global-memory traffic per photon-step
  double seconds_h2h = 0;  // with the input upload and the output download (GPU drivers 2, 3)
  bool ok = true;          // the run's own checks passed
  unsigned threads = 0;    // host backend
};

// The checks of a worker run: every photon comes out exactly once (ids unique, primaries and
// secondaries counted), ended, and the output's step sum equals the worker's step counter.
inline bool check_worker_output(const std::vector<Photon>& out, std::uint64_t primaries,
                                const WorkerTelemetry& t) {
  std::vector<std::uint64_t> ids(out.size());
  std::uint64_t steps = 0, prim = 0, alive = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    ids[i] = out[i].id;
    steps += out[i].steps;
    prim += out[i].generation == 0;
    alive += out[i].reason == TerminalReason::alive;
  }
  std::sort(ids.begin(), ids.end());
  const std::uint64_t dups =
      static_cast<std::uint64_t>(ids.end() - std::unique(ids.begin(), ids.end()));
  const bool ok = dups == 0 && alive == 0 && prim == primaries &&
                  out.size() == primaries + static_cast<std::uint64_t>(t.spawned) &&
                  steps == static_cast<std::uint64_t>(t.steps);
  if (!ok)
    std::printf(
        "# CHECK FAILED: %zu photons out (%llu primaries of %llu, %lld spawned), %llu duplicate "
        "ids, %llu still alive, output steps %llu vs counted %lld\n",
        out.size(), static_cast<unsigned long long>(prim),
        static_cast<unsigned long long>(primaries), static_cast<long long>(t.spawned),
        static_cast<unsigned long long>(dups), static_cast<unsigned long long>(alive),
        static_cast<unsigned long long>(steps), static_cast<long long>(t.steps));
  return ok;
}

inline const Table& driver_table() {
  static const Table table({{"back", 5, Align::left},
                            {"driver", 18, Align::left},
                            {"thr", 4},
                            {"photons", 10},
                            {"steps", 12},
                            {"time_s", 9},
                            {"h2h_s", 9},
                            {"Gsteps/s", 10},
                            {"h2h_G/s", 10},
                            {"B/step", 9},
                            {"vs_floor", 9},
                            {"check", 6}});
  return table;
}

inline void print_header(double bandwidth) {
  std::printf(
      "# bandwidth for the floor: %.0f GB/s; floor = state read + written once per photon\n"
      "# time_s: propagation (persistent-worker and worker+spawn: prefilled inbox; "
      "worker-streamed: host to host, fed and drained while it runs); h2h_s: host to host "
      "(drivers 2 and 3 with the input upload and the output download)\n",
      bandwidth / 1e9);
  driver_table().print_header();
}

inline void print_row(const DriverResult& r, double bandwidth) {
  const double rate = r.steps / r.seconds;
  const double h2h = r.seconds_h2h > 0 ? r.steps / r.seconds_h2h : 0.0;
  driver_table().print_row(
      {r.backend, r.driver, std::to_string(r.threads), std::to_string(r.photons),
       std::to_string(r.steps), str_printf("%.4f", r.seconds), str_printf("%.4f", r.seconds_h2h),
       str_printf("%.3f", rate / 1e9), str_printf("%.3f", h2h / 1e9),
       str_printf("%.1f", r.bytes_per_step),
       str_printf("%.2fx", bandwidth > 0 ? rate * r.bytes_per_step / bandwidth : 0.0),
       r.ok ? "ok" : "FAIL"});
}

inline void print_json(const DriverResult& r) {
  JsonLine()
      .add("bench", "worker")
      .add("backend", r.backend)
      .add("driver", r.driver)
      .add("threads", r.threads)
      .add("photons", r.photons)
      .add("steps", r.steps)
      .add("seconds", r.seconds)
      .add("seconds_h2h", r.seconds_h2h)
      .add("gsteps_per_s", r.steps / r.seconds / 1e9)
      .add("bytes_per_step", r.bytes_per_step)
      .add("ok", r.ok)
      .print();
}

// The runs of one photon count (and, on the host, one thread count), in the order the report
// lists them.
struct DriverRuns {
  DriverResult worker;                      // driver 1: persistent-worker, prefilled
  DriverResult chroma;                      // driver 2: chroma-relaunch
  DriverResult per_photon;                  // driver 3: thread-per-photon
  std::optional<DriverResult> spawn;        // worker+spawn (with --spawn > 0)
  DriverResult streamed;                    // worker-streamed: host to host
  std::optional<DriverResult> spawn_timed;  // GPU: worker+spawn/time, the time-based cadence
};

// The rows and JSON lines of the three drivers and the spawn run, the ratios against the goals,
// then the streamed and timed-spawn rows; returns whether every check passed. The drivers must
// have run the same photons: the step totals of the three drivers and the streamed worker must
// agree.
inline bool report_runs(DriverRuns& runs, double bandwidth) {
  DriverResult& worker = runs.worker;
  DriverResult& chroma = runs.chroma;
  DriverResult& per_photon = runs.per_photon;
  if (worker.steps != chroma.steps || worker.steps != per_photon.steps) {
    std::printf("# CHECK FAILED: step totals differ (%llu, %llu, %llu)\n",
                static_cast<unsigned long long>(worker.steps),
                static_cast<unsigned long long>(chroma.steps),
                static_cast<unsigned long long>(per_photon.steps));
    worker.ok = chroma.ok = per_photon.ok = false;
  }
  const DriverResult* spawn = runs.spawn ? &*runs.spawn : nullptr;
  const DriverResult* const rows[] = {&worker, &chroma, &per_photon, spawn};
  for (const DriverResult* r : rows)
    if (r) print_row(*r, bandwidth);
  for (const DriverResult* r : rows)
    if (r) print_json(*r);
  const double w = worker.steps / worker.seconds;
  const auto rate = [](const DriverResult& r) { return r.steps / r.seconds; };
  const auto rate_h2h = [&](const DriverResult& r) {
    return r.seconds_h2h > 0 ? r.steps / r.seconds_h2h : rate(r);
  };
  std::printf(
      "# %s N=%llu thr=%u: worker %.2f Gsteps/s (goal >= 10 on H100/H200); worker / "
      "chroma-relaunch = %.2fx propagation only, %.2fx host to host (goal >= 3); worker / "
      "thread-per-photon = %.2fx propagation only, %.2fx host to host (goal >= 1.2)\n",
      worker.backend, static_cast<unsigned long long>(worker.photons), worker.threads, w / 1e9,
      w / rate(chroma), w / rate_h2h(chroma), w / rate(per_photon), w / rate_h2h(per_photon));
  bool ok = worker.ok && chroma.ok && per_photon.ok && (!spawn || spawn->ok);

  DriverResult& streamed = runs.streamed;
  streamed.seconds_h2h = streamed.seconds;  // fed and drained while it runs: host to host
  print_row(streamed, bandwidth);
  print_json(streamed);
  if (streamed.steps != worker.steps)
    std::printf("# CHECK FAILED: worker-streamed took %llu steps, persistent-worker %llu\n",
                static_cast<unsigned long long>(streamed.steps),
                static_cast<unsigned long long>(worker.steps));
  ok = streamed.ok && streamed.steps == worker.steps && ok;
  if (runs.spawn_timed) {
    print_row(*runs.spawn_timed, bandwidth);
    print_json(*runs.spawn_timed);
    ok = runs.spawn_timed->ok && ok;
  }
  return ok;
}

// The last line of a run and the process's exit status.
inline int report_checks(bool ok) {
  std::printf("# checks: %s\n", ok ? "all passed" : "FAILED");
  return ok ? 0 : 1;
}

// Driver 1: the persistent worker. Streamed: the host feeds the inbox and drains the output
// while it runs, and the time covers all of it (host memory to host memory). Prefilled: every
// photon is in the inbox before start() and the output has room for all of them, so the time
// covers propagation alone (the worker still writes every finished photon to the mapped
// output as it goes), as for drivers 2 and 3.
template <class Space>
DriverResult run_worker(const WorkerBenchOptions& o, const std::vector<Photon>& in, float spawn,
                        const char* backend, const char* name, bool prefill, std::uint32_t page,
                        std::uint32_t inbox, std::uint32_t output, std::uint32_t spawn_period = 0) {
  const auto n = static_cast<std::uint32_t>(in.size());
  WorkerOptions wo;
  wo.output = OutputTier::photons;
  wo.page_capacity = std::min(n, page);
  wo.inbox_capacity = prefill ? n : inbox;
  wo.output_capacity = prefill ? n + n / 2 : output;
  wo.max_events = 1;
  wo.micro_steps = o.micro_steps;
  wo.refill_lanes = o.refill_lanes;
  wo.grid = o.grid;
  wo.max_steps = o.max_steps;
  wo.seed = o.seed;
  wo.threads = o.threads;
  wo.spawn_period = spawn_period;
  PersistentWorker<SyntheticSteps, Space> w(SyntheticSteps{spawn}, wo);
  std::vector<Photon> out;
  out.resize(in.size() * 2);  // touch the pages now: first-touch faults are not the worker's
  out.clear();
  const std::uint32_t ev[] = {0};
  bool ok = true;
  double s = 0;
  if (prefill) {
    ok = w.submit(in) == in.size();
    w.close_event(0);
    const auto t0 = std::chrono::steady_clock::now();
    w.start();
    const auto deadline = t0 + std::chrono::seconds(600);
    while (!w.event_status(0).complete() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ok = w.wait_events(ev, out, std::chrono::seconds(60)) && ok;
    w.stop();
  } else {
    // One thread submits while another drains (submit() and drain() touch disjoint state);
    // the drainer asks for the event's status only once every photon was submitted.
    const auto t0 = std::chrono::steady_clock::now();
    const auto deadline = t0 + std::chrono::seconds(600);
    w.start();
    std::atomic<bool> all_in{false};
    bool complete = false;
    {
      std::jthread drainer(
          [&] { complete = w.drain_until_complete(ev, out, all_in, std::chrono::seconds(600)); });
      std::size_t done = 0;
      while (done < in.size() && std::chrono::steady_clock::now() < deadline) {
        const std::size_t k = w.submit(std::span<const Photon>(in).subspan(done));
        done += k;
        if (k == 0) std::this_thread::yield();
      }
      w.close_event(0);
      all_in.store(true, std::memory_order_release);
    }  // joins the drainer
    ok = complete;
    w.stop();
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  if (!ok) std::printf("# CHECK FAILED: the worker run did not complete\n");
  const WorkerTelemetry t = w.telemetry();
  std::printf(
      "# telemetry %s %s: groups %u, iterations %lld, steps %lld, active pops %lld, spawn pops "
      "%lld, intake %lld, output %lld, idle back-offs %lld, pending retries %lld\n",
      backend, name, w.groups(), static_cast<long long>(t.iterations),
      static_cast<long long>(t.steps), static_cast<long long>(t.active_pops),
      static_cast<long long>(t.spawn_pops), static_cast<long long>(t.intake),
      static_cast<long long>(t.output), static_cast<long long>(t.idle_backoffs),
      static_cast<long long>(t.pending_retries));
  const double ticks = static_cast<double>(t.ticks_housekeeping + t.ticks_refill + t.ticks_step +
                                           t.ticks_exits + t.ticks_flush + t.ticks_idle);
  if (ticks > 0)
    std::printf(
        "# time of the groups %s %s: step %.1f %%, exits %.1f %%, refill %.1f %%, flush %.1f %%, "
        "housekeeping %.1f %%, idle %.1f %%; %.0f ticks per stepping iteration\n",
        backend, name, 100 * t.ticks_step / ticks, 100 * t.ticks_exits / ticks,
        100 * t.ticks_refill / ticks, 100 * t.ticks_flush / ticks,
        100 * t.ticks_housekeeping / ticks, 100 * t.ticks_idle / ticks,
        (t.ticks_step + t.ticks_exits + t.ticks_flush) /
            std::max(1.0, static_cast<double>(t.iterations - t.idle_backoffs)));
  // per photon: inbox record read, page store, lane load, write-back, output read and write
  // (6 x 80 bytes); per extra visit a write-back and a load plus ring traffic
  const double bytes = 480.0 * (t.intake + t.spawned) + 176.0 * t.active_pops;
  DriverResult r{backend, name, in.size(), static_cast<std::uint64_t>(t.steps), s, bytes / t.steps};
  r.ok = ok && check_worker_output(out, in.size(), t);
  r.threads = o.threads;
  return r;
}

}  // namespace chroma2::bench
