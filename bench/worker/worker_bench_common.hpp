// SPDX-License-Identifier: BSD-3-Clause
// What the GPU and host worker benchmarks share: options, the synthetic photons, the one-step
// function of the two relaunch drivers (the same physics, RNG stream and step cap as the worker),
// and the report: photon-steps/s, modelled bytes per step against the floor, ratios.
#pragma once

#include "chroma2/core/concepts/physics.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/core/photon.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/physics/synthetic.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace chroma2::bench {

struct WorkerBenchOptions {
  std::vector<std::uint64_t> photons{100000, 1000000, 10000000};
  float spawn = 0.01f;  // spawn probability per primary step (worker-only run)
  std::uint32_t micro_steps = 16;
  std::uint32_t max_steps = 10000;
  std::uint64_t seed = 1;
  unsigned threads = 0;  // host backend
  double bandwidth = 0;  // bytes/s for the floor; 0: by device (GPU) or 20e9 (host)
};

inline WorkerBenchOptions parse(int argc, char** argv) {
  WorkerBenchOptions o;
  bool photons_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "0";
    if (a == "--photons") {
      if (!photons_given) o.photons.clear();
      photons_given = true;
      o.photons.push_back(std::strtoull(v, nullptr, 10));
      ++i;
    } else if (a == "--spawn") {
      o.spawn = std::strtof(v, nullptr), ++i;
    } else if (a == "--micro-steps") {
      o.micro_steps = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10)), ++i;
    } else if (a == "--threads") {
      o.threads = static_cast<unsigned>(std::strtoul(v, nullptr, 10)), ++i;
    } else if (a == "--bandwidth") {
      o.bandwidth = std::strtod(v, nullptr), ++i;
    } else if (a == "--quick") {
      o.photons = {100000};
    } else {
      std::printf(
          "usage: %s [--photons N]... [--spawn P] [--micro-steps M] [--threads T] "
          "[--bandwidth B/s] [--quick]\n",
          argv[0]);
      std::exit(a == "--help" ? 0 : 2);
    }
  }
  return o;
}

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

// One step of the relaunch drivers, as the worker takes it (spawn is off for these drivers).
// Returns whether the photon is still alive.
CHROMA2_HD inline bool relaunch_step(const SyntheticSteps& physics, Photon& p,
                                     StepContext<Philox4x32Policy>& ctx, std::uint32_t max_steps) {
  const StepResult r = physics.step(p, ctx);
  ++p.steps;
  if (r.reason != TerminalReason::alive) {
    p.reason = r.reason;
    return false;
  }
  if (p.steps >= max_steps) {
    p.reason = TerminalReason::max_steps;
    return false;
  }
  return true;
}

struct DriverResult {
  const char* backend;
  const char* driver;
  std::uint64_t photons;
  std::uint64_t steps;
  double seconds;
  double bytes_per_step;  // modelled global-memory traffic per photon-step
};

inline void print_header(double bandwidth) {
  std::printf(
      "# bandwidth for the floor: %.0f GB/s; floor = state read + written once per photon\n",
      bandwidth / 1e9);
  std::printf("%-5s %-22s %10s %12s %9s %14s %10s %10s %9s\n", "back", "driver", "photons", "steps",
              "time_s", "Gsteps/s", "B/step", "floor_B", "vs_floor");
}

inline void print_row(const DriverResult& r, double bandwidth) {
  const double rate = r.steps / r.seconds;
  const double floor_bytes = 160.0 * r.photons / static_cast<double>(r.steps);
  const double achieved_bw = rate * r.bytes_per_step;
  std::printf("%-5s %-22s %10llu %12llu %9.4f %14.3f %10.1f %10.2f %8.2fx\n", r.backend, r.driver,
              static_cast<unsigned long long>(r.photons), static_cast<unsigned long long>(r.steps),
              r.seconds, rate / 1e9, r.bytes_per_step, floor_bytes,
              bandwidth > 0 ? achieved_bw / bandwidth : 0.0);
}

inline void print_ratios(const DriverResult& worker, const DriverResult& chroma,
                         const DriverResult& per_photon) {
  const double w = worker.steps / worker.seconds;
  std::printf(
      "# %s N=%llu: worker / chroma-relaunch = %.2fx (goal >= 3), worker / "
      "thread-per-photon = %.2fx (goal >= 1.2), worker %.2f Gsteps/s (goal >= 10 on "
      "H100/H200)\n",
      worker.backend, static_cast<unsigned long long>(worker.photons),
      w / (chroma.steps / chroma.seconds), w / (per_photon.steps / per_photon.seconds), w / 1e9);
  if (worker.steps != chroma.steps || worker.steps != per_photon.steps)
    std::printf(
        "# WARNING: step totals differ (%llu, %llu, %llu): the drivers did not run the "
        "same photons\n",
        static_cast<unsigned long long>(worker.steps),
        static_cast<unsigned long long>(chroma.steps),
        static_cast<unsigned long long>(per_photon.steps));
}

// Driver 1: the persistent worker, fed and drained by the host while it runs; the time covers
// submission, propagation and draining.
template <class Space>
DriverResult run_worker(const WorkerBenchOptions& o, const std::vector<Photon>& in, float spawn,
                        const char* backend, const char* name, std::uint32_t page,
                        std::uint32_t inbox, std::uint32_t output) {
  WorkerOptions wo;
  wo.page_capacity = static_cast<std::uint32_t>(std::min<std::uint64_t>(in.size(), page));
  wo.inbox_capacity = inbox;
  wo.output_capacity = output;
  wo.max_events = 1;
  wo.micro_steps = o.micro_steps;
  wo.max_steps = o.max_steps;
  wo.seed = o.seed;
  wo.threads = o.threads;
  PersistentWorker<SyntheticSteps, Space> w(SyntheticSteps{spawn}, wo);
  std::vector<Photon> out;
  out.reserve(in.size() * 2);
  const auto t0 = std::chrono::steady_clock::now();
  w.start();
  w.submit_all(in, out);
  w.close_event(0);
  const std::uint32_t ev[] = {0};
  const bool ok = w.wait_events(ev, out, std::chrono::seconds(600));
  w.stop();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!ok) std::printf("# WARNING: worker run did not complete\n");
  const WorkerTelemetry t = w.telemetry();
  // page state per visit plus ring traffic (index and sequence word, pop and push), and per
  // photon the inbox, page and output records
  const double bytes = 176.0 * t.active_pops + 240.0 * (t.intake + t.spawned);
  return {backend, name, in.size(), static_cast<std::uint64_t>(t.steps), s, bytes / t.steps};
}

}  // namespace chroma2::bench
