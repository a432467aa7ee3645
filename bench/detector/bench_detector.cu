// SPDX-License-Identifier: BSD-3-Clause
// Chroma's demo detectors end to end on the GPU: the instanced geometry, Chroma's own material
// and surface tables and its benchmark workload (photons at the origin, t = 0, isotropic with a
// random perpendicular polarisation, wavelength uniform in 400-800 nm), through three drivers with
// the same physics, geometry, photons and RNG streams:
//   (1) the persistent worker, every photon in its inbox before the clock starts, the hits tier
//       (only hits and the event's tally come back; drained while it runs), the clock stopping
//       when the event completes;
//   (2) Chroma's relaunch driver: one launch per step over the live photons while at least 8,192
//       remain, survivors compacted by an atomic counter, a 4-byte read-back and a host sync per
//       step, then the rest in one launch;
//   (3) one thread per photon running all its steps in one kernel.
// Photons are drawn once on the host from each photon's own stream (so the drivers and the two
// orders get the very same photons) and run in id order ("random" directions) or sorted by a
// Morton code of their direction, as Chroma's benchmark does. Variants: Chroma's tables; a
// long-tail water (Rayleigh length 2 m, re-emitting) where photons take many steps; and the
// unbounded cast (interaction distances applied after the cast, as Chroma does) against the
// bounded one. Checks: every photon ends once; the drivers agree on the endings (2 and 3 photon by
// photon, 1 by its tally and hit ids). A timing pass splits a photon's step cycles into traversal
// and the rest of the physics; a build with CHROMA2_WORKER_TIMING adds the worker's bookkeeping.
#include "bench/detector/detector_options.hpp"
#include "bench/detector/gpu_drivers.cuh"
#include "bench/support/report.hpp"
#include "chroma2/config/cuda_check.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/core/photon_drivers.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/io/chroma_demo.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/io/chroma_demo_surfaces.hpp"
#include "chroma2/physics/optical_physics.hpp"
#include "chroma2/physics/scene_tables.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <thread>
#include <utility>
#include <vector>

using namespace chroma2;
using namespace chroma2::bench;

namespace {
using Clock = std::chrono::steady_clock;
using DetectorPhysics = OpticalPhysics<TriangleGeometryRef>;
constexpr int reason_count = static_cast<int>(TerminalReason::count_);

// ---- the drivers' kernels -----------------------------------------------------------------------

// The timing pass: the geometry's ray casts timed in SM cycles, added to the calling thread's
// own counter (one per thread of the grid: the thread-per-photon kernel's and the worker's).
struct TimedGeometry {
  TriangleGeometryRef g;
  unsigned long long* per_thread;
  CHROMA2_HD Hit closest_hit(Ray r) const {
    return timed([&] { return g.closest_hit(r); });
  }
  CHROMA2_HD std::int32_t material_at(Vec3 p) const {
    return timed([&] { return g.material_at(p); });
  }

 private:
  template <class F>
  CHROMA2_HD decltype(std::declval<F>()()) timed(F query) const {
#if defined(__CUDA_ARCH__)
    const long long t0 = clock64();
    const auto result = query();
    per_thread[blockIdx.x * blockDim.x + threadIdx.x] +=
        static_cast<unsigned long long>(clock64() - t0);
    return result;
#else
    return query();
#endif
  }
};
static_assert(Geometry<TimedGeometry>);
using TimedPhysics = OpticalPhysics<TimedGeometry>;

TimedPhysics timed(const DetectorPhysics& physics, unsigned long long* per_thread) {
  return TimedPhysics{TimedGeometry{physics.geometry, per_thread},
                      physics.materials,
                      physics.surfaces,
                      physics.scattering,
                      physics.surface_models,
                      physics.bounded_cast};
}

// Thread per photon with each step timed and, within it, the ray casts: totals[0] += step cycles,
// totals[1] += traversal cycles, summed over threads.
__global__ void thread_per_photon_timed(TimedPhysics physics, Photon* photons, std::uint64_t n,
                                        std::uint64_t seed, std::uint32_t max_steps,
                                        unsigned long long* totals) {
  const std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  unsigned long long stepping = 0;
  Photon p = photons[i];
  PhotonRng<Philox4x32Policy> rng({}, RngKey{seed, p.id, p.event}, p.rng_counter);
  apply_isotropic_init(p, rng);
  StepContext<Philox4x32Policy> ctx{&rng};
  for (;;) {
    const long long t0 = clock64();
    const TerminalReason r = take_step(physics, p, ctx, max_steps).reason;
    stepping += static_cast<unsigned long long>(clock64() - t0);
    if (r != TerminalReason::alive) break;
  }
  p.rng_counter = rng.counter();
  photons[i] = p;
  atomicAdd(&totals[0], stepping);
  atomicAdd(&totals[1], physics.geometry.per_thread[i]);
}

// ---- workloads ----------------------------------------------------------------------------------

// Chroma's benchmark photons with their first-step draws made here, on the host, from each
// photon's own stream: every driver and both orders then start from identical photons.
std::vector<Photon> drawn_photons(std::uint64_t n, std::uint64_t seed) {
  return drawn(chroma_benchmark_photons(n), seed);
}

// 30-bit Morton code of a unit direction (10 bits per axis), as Chroma sorts its photons.
std::uint32_t direction_morton(Vec3 d) {
  const auto spread = [](std::uint32_t x) {
    x &= 0x3ffu;
    x = (x | (x << 16)) & 0x030000ffu;
    x = (x | (x << 8)) & 0x0300f00fu;
    x = (x | (x << 4)) & 0x030c30c3u;
    x = (x | (x << 2)) & 0x09249249u;
    return x;
  };
  const auto q = [](float c) {
    return static_cast<std::uint32_t>(std::clamp((c + 1.0f) * 512.0f, 0.0f, 1023.0f));
  };
  return (spread(q(d.x)) << 2) | (spread(q(d.y)) << 1) | spread(q(d.z));
}

std::vector<Photon> sorted_by_direction(std::vector<Photon> v) {
  std::stable_sort(v.begin(), v.end(), [](const Photon& a, const Photon& b) {
    return direction_morton(a.direction) < direction_morton(b.direction);
  });
  return v;
}

// The long-tail water: Chroma's water with a 2 m Rayleigh length and a re-emitting component
// (half of the absorbed photons come back, 420-480 nm, 5 ns), so photons take many steps.
std::vector<MaterialSpec> long_tail_materials(std::vector<MaterialSpec> m) {
  for (MaterialSpec& s : m) {
    if (s.name != "water") continue;
    s.scattering_length = SpectralTable{{200.0, 900.0}, {2000.0, 2000.0}};
    s.reemission_probability = SpectralTable{{200.0, 900.0}, {0.5, 0.5}};
    ReemissionComponent c;
    c.spectrum = SpectralTable{{420.0, 450.0, 480.0}, {0.0, 1.0, 0.0}};
    c.time_constant_ns = 5.0;
    s.reemission = {c};
    s.reemission_conserves_energy = false;
  }
  return m;
}

// ---- outcomes -----------------------------------------------------------------------------------

struct Outcome {
  const char* driver = "";
  double seconds = 0;
  std::uint64_t photons = 0;
  std::uint64_t steps = 0;
  std::uint64_t reasons[reason_count] = {};
  double median_detection_ns = 0;
  std::vector<std::uint64_t> detected_ids;  // sorted
  std::vector<Photon> final;                // drivers 2 and 3: every photon, by id
  WorkerTelemetry telemetry{};

  double fraction(TerminalReason r) const {
    return double(reasons[static_cast<int>(r)]) / double(photons);
  }
};

double median(std::vector<float> t) {
  if (t.empty()) return 0.0;
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

Outcome from_photons(const char* driver, double seconds, std::vector<Photon> out) {
  Outcome o;
  o.driver = driver;
  o.seconds = seconds;
  o.photons = out.size();
  std::sort(out.begin(), out.end(), [](const Photon& a, const Photon& b) { return a.id < b.id; });
  std::vector<float> times;
  for (const Photon& p : out) {
    o.steps += p.steps;
    ++o.reasons[static_cast<int>(p.reason)];
    if (p.reason == TerminalReason::detected) {
      times.push_back(p.time);
      o.detected_ids.push_back(p.id);
    }
  }
  o.median_detection_ns = median(times);
  o.final = std::move(out);
  return o;
}

struct RunConfig {
  std::uint64_t n;
  std::uint32_t max_steps;
  std::uint64_t seed;
  const DetectorBenchOptions* opt;
};

Outcome run_worker(const DetectorPhysics& physics, const std::vector<Photon>& photons,
                   const RunConfig& c) {
  const DetectorBenchOptions& opt = *c.opt;
  WorkerOptions wo;
  wo.output = OutputTier::hits;
  wo.page_capacity = opt.page;
  if (opt.refill_lanes) wo.refill_lanes = opt.refill_lanes;
  if (opt.idle_threshold) wo.idle_threshold = opt.idle_threshold;
  if (opt.micro_steps) wo.micro_steps = opt.micro_steps;
  wo.grid = opt.grid;
  wo.inbox_capacity = static_cast<std::uint32_t>(c.n);
  wo.output_capacity = 1u << 20;  // hits, drained while the worker runs
  wo.max_events = 1;
  wo.max_steps = c.max_steps;
  wo.seed = c.seed;
  PersistentWorker<DetectorPhysics, Device> worker(physics, wo);
  OutputRecords out;
  if (worker.submit(photons) != c.n) fail("the inbox did not take every photon", "", "");
  worker.close_event(0);
  const std::uint32_t events[] = {0};
  const auto t0 = Clock::now();
  worker.start();
  const bool done = worker.wait_events(events, out, std::chrono::minutes(5));
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  worker.stop();
  if (!done) fail("the worker's event did not complete", "", "");
  const EventTally tally = worker.tally(0);
  Outcome o;
  o.driver = "persistent-worker";
  o.seconds = seconds;
  o.photons = tally.photons();
  o.steps = tally.steps;
  for (int k = 0; k < reason_count; ++k) o.reasons[k] = tally.reasons[k];
  std::vector<float> times;
  for (const HitRecord& h : out.hits) {
    times.push_back(h.time);
    o.detected_ids.push_back(h.id);
  }
  std::sort(o.detected_ids.begin(), o.detected_ids.end());
  o.median_detection_ns = median(times);
  o.telemetry = worker.telemetry();
  return o;
}

Outcome run_relaunch(const DetectorPhysics& physics, const std::vector<Photon>& photons,
                     const RunConfig& c) {
  const auto n = static_cast<std::uint32_t>(c.n);
  Buffer<Photon, Device> d(n);
  RelaunchBuffers buffers(n);
  Device::copy_from_host(d.data(), photons.data(), n * sizeof(Photon), {});
  Device::synchronize({});
  const auto t0 = Clock::now();
  relaunch_to_end(physics, d.data(), n, buffers, c.seed, c.max_steps);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<Photon> back(n);
  Device::copy_to_host(back.data(), d.data(), n * sizeof(Photon), {});
  Device::synchronize({});
  return from_photons("chroma-relaunch", seconds, std::move(back));
}

Outcome run_threads(const DetectorPhysics& physics, const std::vector<Photon>& photons,
                    const RunConfig& c) {
  Buffer<Photon, Device> d(c.n);
  Device::copy_from_host(d.data(), photons.data(), c.n * sizeof(Photon), {});
  Device::synchronize({});
  const auto t0 = Clock::now();
  thread_per_photon<<<static_cast<unsigned>((c.n + 127) / 128), 128>>>(physics, d.data(), nullptr,
                                                                       c.n, c.seed, c.max_steps);
  CHROMA2_CUDA_CHECK_LAUNCH();
  CHROMA2_CUDA_TRY(cudaDeviceSynchronize());
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<Photon> back(c.n);
  Device::copy_to_host(back.data(), d.data(), c.n * sizeof(Photon), {});
  Device::synchronize({});
  return from_photons("thread-per-photon", seconds, std::move(back));
}

// Step and traversal cycles per photon (summed over threads: a warp's 32 photons in lockstep
// count 32 times, so divide by 32 for warp-cycles).
struct Split {
  double step_cycles = 0, traversal_cycles = 0;
};
Split time_split(const DetectorPhysics& physics, const std::vector<Photon>& photons,
                 const RunConfig& c) {
  Buffer<Photon, Device> d(c.n);
  Buffer<unsigned long long, Device> totals(2), per_thread(c.n);
  Device::copy_from_host(d.data(), photons.data(), c.n * sizeof(Photon), {});
  Device::fill(totals.data(), 0, 2 * sizeof(unsigned long long), {});
  Device::fill(per_thread.data(), 0, c.n * sizeof(unsigned long long), {});
  Device::synchronize({});
  thread_per_photon_timed<<<static_cast<unsigned>((c.n + 127) / 128), 128>>>(
      timed(physics, per_thread.data()), d.data(), c.n, c.seed, c.max_steps, totals.data());
  CHROMA2_CUDA_CHECK_LAUNCH();
  CHROMA2_CUDA_TRY(cudaDeviceSynchronize());
  unsigned long long h[2];
  Device::copy_to_host(h, totals.data(), sizeof h, {});
  Device::synchronize({});
  return {double(h[0]) / double(c.n), double(h[1]) / double(c.n)};
}

#if CHROMA2_WORKER_TIMING
// The worker's ray casts in SM cycles per photon (summed over its threads), from a run of the
// worker over the timed geometry: set beside its loop's phases (the timing build only).
double worker_traversal_cycles(const DetectorPhysics& physics, const std::vector<Photon>& photons,
                               const RunConfig& c) {
  int dev = 0, sms = 0, threads_per_sm = 0;
  CHROMA2_CUDA_TRY(cudaGetDevice(&dev));
  CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  CHROMA2_CUDA_TRY(
      cudaDeviceGetAttribute(&threads_per_sm, cudaDevAttrMaxThreadsPerMultiProcessor, dev));
  const std::size_t slots =
      std::size_t(sms) * std::size_t(threads_per_sm);  // every resident thread
  Buffer<unsigned long long, Device> per_thread(slots);
  Device::fill(per_thread.data(), 0, slots * sizeof(unsigned long long), {});
  Device::synchronize({});
  WorkerOptions wo;
  wo.page_capacity = c.opt->page;
  wo.grid = c.opt->grid;
  wo.inbox_capacity = static_cast<std::uint32_t>(c.n);
  wo.output_capacity = 1u << 20;
  wo.max_events = 1;
  wo.max_steps = c.max_steps;
  wo.seed = c.seed;
  PersistentWorker<TimedPhysics, Device> worker(timed(physics, per_thread.data()), wo);
  worker.run(photons, 0, OutputTier::hits);
  std::vector<unsigned long long> h(slots);
  Device::copy_to_host(h.data(), per_thread.data(), slots * sizeof(unsigned long long), {});
  Device::synchronize({});
  double sum = 0;
  for (unsigned long long v : h) sum += double(v);
  return sum / double(c.n);
}
#endif

// Photon-by-photon agreement of two photon drivers (ending, steps, stream position).
double agreement(const Outcome& a, const Outcome& b) {
  if (a.final.size() != b.final.size() || a.final.empty()) return 0.0;
  std::uint64_t same = 0;
  for (std::size_t i = 0; i < a.final.size(); ++i)
    same += a.final[i].id == b.final[i].id && a.final[i].reason == b.final[i].reason &&
            a.final[i].steps == b.final[i].steps &&
            a.final[i].rng_counter == b.final[i].rng_counter;
  return double(same) / double(a.final.size());
}

// Agreement of the worker's hits with a photon driver's detected photons: shared ids over the
// larger set.
double hit_agreement(const Outcome& worker, const Outcome& photons) {
  std::vector<std::uint64_t> both;
  std::set_intersection(worker.detected_ids.begin(), worker.detected_ids.end(),
                        photons.detected_ids.begin(), photons.detected_ids.end(),
                        std::back_inserter(both));
  const std::size_t larger = std::max(worker.detected_ids.size(), photons.detected_ids.size());
  return larger ? double(both.size()) / double(larger) : 1.0;
}

// Every photon ended once: ids 0..n-1 (drivers 2, 3), the tally summing to n and no photon alive.
bool conserved(const Outcome& o, std::uint64_t n) {
  if (o.photons != n || o.reasons[static_cast<int>(TerminalReason::alive)] != 0) return false;
  for (std::size_t i = 0; i < o.final.size(); ++i)
    if (o.final[i].id != i) return false;
  // hits are exactly the detected photons
  return o.detected_ids.size() == o.reasons[static_cast<int>(TerminalReason::detected)] &&
         std::adjacent_find(o.detected_ids.begin(), o.detected_ids.end()) == o.detected_ids.end();
}

// Chroma on this project's H200 (the data folder's README): photons/s by detector, photons, steps.
const char* chroma_figure(const std::string& detector, const std::string& variant, std::uint64_t n,
                          std::uint32_t steps) {
  if (variant != "chroma") return "-";
  if (detector == "full")
    return n >= 5000000 ? (steps >= 100 ? "43-44 M" : "51 M") : (steps <= 10 ? "27-31 M" : "-");
  return n >= 5000000 ? (steps >= 100 ? "103-112 M" : "-") : (steps <= 10 ? "55-58 M" : "-");
}

struct Job {
  std::string variant;  // chroma, long-tail
  std::uint64_t n;
  std::uint32_t max_steps;
  bool sorted;
  bool bounded;
};

// The runs: Chroma's workload at both sizes, both step limits and both orders (bounded cast);
// the unbounded cast at 5 M / 100 steps; the long-tail water at 5 M with both casts.
std::vector<Job> jobs(const DetectorBenchOptions& opt) {
  std::vector<Job> v;
  for (std::uint64_t n : opt.photons)
    for (std::uint32_t s : opt.max_steps)
      for (bool sorted : {false, true}) v.push_back({"chroma", n, s, sorted, true});
  const std::uint64_t big = *std::max_element(opt.photons.begin(), opt.photons.end());
  const std::uint32_t most = *std::max_element(opt.max_steps.begin(), opt.max_steps.end());
  v.push_back({"chroma", big, most, false, false});
  if (opt.long_tail) {
    v.push_back({"long-tail", big, opt.long_tail_steps, false, true});
    v.push_back({"long-tail", big, opt.long_tail_steps, false, false});
  }
  return v;
}

}  // namespace

int run(const DetectorBenchOptions& opt) {
  int dev = 0;
  cudaDeviceProp prop{};
  CHROMA2_CUDA_TRY(cudaGetDevice(&dev));
  CHROMA2_CUDA_TRY(cudaGetDeviceProperties(&prop, dev));
  int clock_khz = 0;
  CHROMA2_CUDA_TRY(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, dev));
  std::printf("# GPU: %s (%d SMs, %.0f MHz)\n", prop.name, prop.multiProcessorCount,
              clock_khz / 1000.0);
  const auto dir = opt.data / "chroma-demo";
  const auto material_specs = load_chroma_demo_materials(dir);
  const auto surface_specs = load_chroma_demo_surfaces(dir);
  MaterialSet<Device> chroma_materials(material_specs);
  MaterialSet<Device> long_tail(long_tail_materials(material_specs));
  SurfaceSet<Device> surfaces(surface_specs);
  check_surface_models<StandardSurfaceModels>(surface_specs);
  Table table({{"detector", 8, Align::left},
               {"variant", 9, Align::left},
               {"order", 6, Align::left},
               {"cast", 9, Align::left},
               {"driver", 17, Align::left},
               {"photons", 8},
               {"steps", 5},
               {"photons/s", 10},
               {"steps/s", 10},
               {"st/ph", 6},
               {"detected", 8},
               {"surf_abs", 8},
               {"bulk_abs", 8},
               {"no_hit", 7},
               {"max_st", 7},
               {"t_det_ns", 8},
               {"chroma", 9}});
  bool all_ok = true;
  std::map<std::uint64_t, std::vector<Photon>> drawn, sorted;
  for (const std::string& detector : opt.detectors) {
    const Scene scene = load_chroma_demo(dir, detector);
    check_scene_tables(scene, chroma_materials.size(), surfaces.size());
    const TriangleGeometry<Host> built = build_geometry(scene);
    const TriangleGeometry<Device> geometry(built);
    table.print_header();
    for (const Job& job : jobs(opt)) {
      if (!drawn.count(job.n)) drawn[job.n] = drawn_photons(job.n, opt.seed);
      if (job.sorted && !sorted.count(job.n)) sorted[job.n] = sorted_by_direction(drawn[job.n]);
      const std::vector<Photon>& photons = job.sorted ? sorted[job.n] : drawn[job.n];
      DetectorPhysics physics{geometry.ref(),
                              (job.variant == "chroma" ? chroma_materials : long_tail).ref(),
                              surfaces.ref()};
      physics.bounded_cast = job.bounded;
      const RunConfig c{job.n, job.max_steps, opt.seed, &opt};
      const Outcome outcomes[] = {run_worker(physics, photons, c),
                                  run_relaunch(physics, photons, c),
                                  run_threads(physics, photons, c)};
      const double relaunch_vs_threads = agreement(outcomes[1], outcomes[2]);
      const double hits_vs_threads = hit_agreement(outcomes[0], outcomes[2]);
      bool ok = relaunch_vs_threads > 0.999 && hits_vs_threads > 0.999;
      for (const Outcome& o : outcomes) ok = ok && conserved(o, job.n);
      // the worker's tally against the photon drivers' endings: within 0.1 % of the photons
      for (int k = 0; k < reason_count; ++k)
        ok = ok && std::fabs(double(outcomes[0].reasons[k]) - double(outcomes[2].reasons[k])) <=
                       1e-3 * double(job.n);
      all_ok = all_ok && ok;
      const char* order = job.sorted ? "sorted" : "random";
      const char* cast = job.bounded ? "bounded" : "unbounded";
      for (const Outcome& o : outcomes) {
        table.print_row({detector, job.variant, order, cast, o.driver,
                         str_printf("%llu", (unsigned long long)job.n),
                         str_printf("%u", job.max_steps), str_printf("%.4g", job.n / o.seconds),
                         str_printf("%.4g", o.steps / o.seconds),
                         str_printf("%.2f", double(o.steps) / job.n),
                         str_printf("%.4f", o.fraction(TerminalReason::detected)),
                         str_printf("%.4f", o.fraction(TerminalReason::surface_absorbed)),
                         str_printf("%.4f", o.fraction(TerminalReason::bulk_absorbed)),
                         str_printf("%.4f", o.fraction(TerminalReason::escaped)),
                         str_printf("%.4f", o.fraction(TerminalReason::max_steps)),
                         str_printf("%.2f", o.median_detection_ns),
                         chroma_figure(detector, job.variant, job.n, job.max_steps)});
        JsonLine()
            .add("bench", "detector")
            .add("gpu", prop.name)
            .add("detector", detector)
            .add("variant", job.variant)
            .add("order", order)
            .add("cast", cast)
            .add("driver", o.driver)
            .add("photons", job.n)
            .add("max_steps", job.max_steps)
            .add("seconds", o.seconds)
            .add("photons_per_s", job.n / o.seconds)
            .add("steps_per_s", o.steps / o.seconds)
            .add("steps_per_photon", double(o.steps) / job.n)
            .add("detected", o.fraction(TerminalReason::detected))
            .add("surface_absorbed", o.fraction(TerminalReason::surface_absorbed))
            .add("bulk_absorbed", o.fraction(TerminalReason::bulk_absorbed))
            .add("no_hit", o.fraction(TerminalReason::escaped))
            .add("out_of_steps", o.fraction(TerminalReason::max_steps))
            .add("median_detection_ns", o.median_detection_ns)
            .add("lane_fill", o.telemetry.iterations ? double(o.telemetry.steps) /
                                                           (32.0 * double(o.telemetry.iterations))
                                                     : 0.0)
            .add("relaunch_vs_threads", relaunch_vs_threads)
            .add("hits_vs_threads", hits_vs_threads)
            .add("ok", ok)
            .print();
      }
      const double worker_s = outcomes[0].seconds;
      std::printf(
          "# %s %s %s %s %llu photons, %u steps: worker / thread-per-photon = %.2f, worker / "
          "relaunch = %.2f (worker: %.0f %% of lane-iterations stepped, idle ones counted); "
          "relaunch "
          "and threads agree on %.5f of "
          "the photons, the worker's hits on %.5f of theirs%s\n",
          detector.c_str(), job.variant.c_str(), order, cast, (unsigned long long)job.n,
          job.max_steps, outcomes[2].seconds / worker_s, outcomes[1].seconds / worker_s,
          100.0 * double(outcomes[0].telemetry.steps) /
              (32.0 * double(std::max<std::int64_t>(1, outcomes[0].telemetry.iterations))),
          relaunch_vs_threads, hits_vs_threads, ok ? "" : "  CHECK FAILED");
      // where the time goes, for the first run of each variant and cast at the largest size
      if (!job.sorted && job.n == *std::max_element(opt.photons.begin(), opt.photons.end()) &&
          (job.max_steps == opt.long_tail_steps ||
           job.max_steps == *std::max_element(opt.max_steps.begin(), opt.max_steps.end()))) {
        const Split s = time_split(physics, photons, c);
        const double per_photon_warp = 1.0 / 32.0;  // thread-cycles → warp-cycles
        std::printf(
            "# time split (thread per photon, SM cycles per photon as a warp sees them): step "
            "%.0f = traversal %.0f (%.0f %%) + rest of the physics %.0f\n",
            s.step_cycles * per_photon_warp, s.traversal_cycles * per_photon_warp,
            100.0 * s.traversal_cycles / s.step_cycles,
            (s.step_cycles - s.traversal_cycles) * per_photon_warp);
        JsonLine j;
        j.add("bench", "detector_split")
            .add("gpu", prop.name)
            .add("detector", detector)
            .add("variant", job.variant)
            .add("cast", cast)
            .add("photons", job.n)
            .add("max_steps", job.max_steps)
            .add("step_warp_cycles_per_photon", s.step_cycles * per_photon_warp)
            .add("traversal_warp_cycles_per_photon", s.traversal_cycles * per_photon_warp);
#if CHROMA2_WORKER_TIMING
        const WorkerTelemetry& tel = outcomes[0].telemetry;
        const double ticks = double(tel.ticks_housekeeping + tel.ticks_refill + tel.ticks_step +
                                    tel.ticks_exits + tel.ticks_flush + tel.ticks_idle);
        if (ticks > 0) {
          // CHROMA2_WORKER_TIMING: the worker's groups' cycles (warp-cycles) per photon by phase,
          // and the ray casts within its steps from a second run over the timed geometry
          const double per = 1.0 / double(job.n);
          const double casts = worker_traversal_cycles(physics, photons, c) * per_photon_warp;
          std::printf(
              "# worker loop (CHROMA2_WORKER_TIMING, warp-cycles per photon): step (physics) "
              "%.0f, of which ray casts about %.0f; exits %.0f, housekeeping %.0f, refill %.0f, "
              "flush %.0f, idle %.0f\n",
              tel.ticks_step * per, casts, tel.ticks_exits * per, tel.ticks_housekeeping * per,
              tel.ticks_refill * per, tel.ticks_flush * per, tel.ticks_idle * per);
          j.add("worker_step", tel.ticks_step * per)
              .add("worker_traversal", casts)
              .add("worker_exits", tel.ticks_exits * per)
              .add("worker_housekeeping", tel.ticks_housekeeping * per)
              .add("worker_refill", tel.ticks_refill * per)
              .add("worker_flush", tel.ticks_flush * per)
              .add("worker_idle", tel.ticks_idle * per);
        }
#endif
        j.print();
      }
    }
  }
  std::printf("# %s\n", all_ok ? "all checks passed" : "CHECK FAILED");
  return all_ok ? 0 : 1;
}

int main(int argc, char** argv) {
  try {
    return run(parse_detector_bench_options(argc, argv));
  } catch (const chroma2::Error& e) {
    std::fprintf(stderr, "bench_detector: %s\n", e.what());
    return 2;
  }
}
