// SPDX-License-Identifier: BSD-3-Clause
// Chroma's demo detectors end to end on the GPU: the instanced geometry, Chroma's own material
// and surface tables and its benchmark workload (photons at the origin, t = 0, isotropic with a
// random perpendicular polarisation drawn on the device, wavelength uniform in 400-800 nm), through
// (1) the persistent worker, all photons in its inbox before the clock starts, every final photon
// written to mapped host memory as it ends (the hits-only output is not built yet; the clock stops
// when the event completes, the photons are drained after), and (2) one
// thread per photon running all its steps in one kernel, photons on the device beforehand. Same
// physics, RNG and photons: the drivers must give the same final states (checked photon by
// photon). Chroma's own figures on these machines are printed beside them.
#include "bench/detector/detector_options.hpp"
#include "bench/detector/run_to_end.hpp"
#include "bench/support/report.hpp"
#include "chroma2/config/cuda_check.hpp"
#include "chroma2/core/persistent_worker.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/io/chroma_demo.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/io/chroma_demo_surfaces.hpp"
#include "chroma2/physics/optical_physics.hpp"
#include "chroma2/physics/scene_tables.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using namespace chroma2;
using namespace chroma2::bench;

namespace {
using Clock = std::chrono::steady_clock;
using DetectorPhysics = OpticalPhysics<TriangleGeometryRef>;

// Driver 2: each thread takes one photon through all its steps (the worker's own step rules).
__global__ void thread_per_photon(DetectorPhysics physics, Photon* photons, std::uint64_t n,
                                  std::uint64_t seed, std::uint32_t max_steps) {
  const std::uint64_t i = blockIdx.x * std::uint64_t(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  Photon p = photons[i];
  run_to_end(physics, p, seed, max_steps);
  photons[i] = p;
}

struct Outcome {
  const char* driver;
  double seconds = 0;
  std::uint64_t steps = 0;
  std::uint64_t reasons[static_cast<int>(TerminalReason::count_)] = {};
  double median_detection_ns = 0;
};

Outcome summarise(const char* driver, double seconds, const std::vector<Photon>& out) {
  Outcome o{driver, seconds};
  std::vector<float> times;
  for (const Photon& p : out) {
    o.steps += p.steps;
    ++o.reasons[static_cast<int>(p.reason)];
    if (p.reason == TerminalReason::detected) times.push_back(p.time);
  }
  if (!times.empty()) {
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    o.median_detection_ns = times[times.size() / 2];
  }
  return o;
}

// Chroma on this project's H200 (the data folder's README): photons/s by detector, photons, steps.
const char* chroma_figure(const std::string& detector, std::uint64_t n, std::uint32_t steps) {
  if (detector == "full")
    return n >= 5000000 ? (steps >= 100 ? "43-44 M" : "51 M") : (steps <= 10 ? "27-31 M" : "-");
  return n >= 5000000 ? (steps >= 100 ? "103-112 M" : "-") : (steps <= 10 ? "55-58 M" : "-");
}

}  // namespace

int run(const DetectorBenchOptions& opt) {
  int dev = 0;
  cudaDeviceProp prop{};
  CHROMA2_CUDA_TRY(cudaGetDevice(&dev));
  CHROMA2_CUDA_TRY(cudaGetDeviceProperties(&prop, dev));
  std::printf("# GPU: %s (%d SMs)\n", prop.name, prop.multiProcessorCount);
  const auto dir = opt.data / "chroma-demo";
  const auto material_specs = load_chroma_demo_materials(dir);
  const auto surface_specs = load_chroma_demo_surfaces(dir);
  MaterialSet<Device> materials(material_specs);
  SurfaceSet<Device> surfaces(surface_specs);
  check_surface_models<StandardSurfaceModels>(surface_specs);
  Table table({{"detector", 8, Align::left},
               {"driver", 18, Align::left},
               {"photons", 9},
               {"max_steps", 9},
               {"photons/s", 11},
               {"steps/photon", 12},
               {"detected", 9},
               {"surf_abs", 9},
               {"bulk_abs", 9},
               {"no_hit", 7},
               {"max_steps", 9},
               {"t_det_ns", 8},
               {"chroma", 10}});
  bool all_ok = true;
  for (const std::string& detector : opt.detectors) {
    const Scene scene = load_chroma_demo(dir, detector);
    check_scene_tables(scene, materials.size(), surfaces.size());
    const TriangleGeometry<Host> built = build_geometry(scene);
    const TriangleGeometry<Device> geometry(built);
    const DetectorPhysics physics{geometry.ref(), materials.ref(), surfaces.ref()};
    table.print_header();
    for (std::uint64_t n : opt.photons)
      for (std::uint32_t max_steps : opt.max_steps) {
        const std::vector<Photon> photons = chroma_benchmark_photons(n);
        // (1) the persistent worker, photons in its inbox before the clock starts
        WorkerOptions wo;
        wo.page_capacity = opt.page;
        if (opt.refill_lanes) wo.refill_lanes = opt.refill_lanes;
        if (opt.idle_threshold) wo.idle_threshold = opt.idle_threshold;
        if (opt.micro_steps) wo.micro_steps = opt.micro_steps;
        wo.grid = opt.grid;
        wo.inbox_capacity = static_cast<std::uint32_t>(n);
        wo.output_capacity = static_cast<std::uint32_t>(n);
        wo.max_events = 1;
        wo.max_steps = max_steps;
        wo.seed = opt.seed;
        PersistentWorker<DetectorPhysics, Device> worker(physics, wo);
        std::vector<Photon> from_worker;
        from_worker.reserve(n);
        if (worker.submit(photons) != n) fail("the inbox did not take every photon", "", "");
        worker.close_event(0);
        // the clock stops when the event completes (as the worker benchmark's prefilled driver);
        // the finished photons are drained after it (the output holds them all)
        const auto t0 = Clock::now();
        worker.start();
        const auto deadline = t0 + std::chrono::minutes(5);
        while (!worker.event_status(0).complete() && Clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::microseconds(20));
        const double worker_s = std::chrono::duration<double>(Clock::now() - t0).count();
        const std::uint32_t events[] = {0};
        const bool done = worker.wait_events(events, from_worker, std::chrono::minutes(5));
        worker.stop();
        const WorkerTelemetry tel = worker.telemetry();
        const double ticks = double(tel.ticks_housekeeping + tel.ticks_refill + tel.ticks_step +
                                    tel.ticks_flush + tel.ticks_idle);
        if (ticks > 0)
          std::printf(
              "# worker loop time (CHROMA2_WORKER_TIMING): housekeeping %.3f, refill %.3f, "
              "step %.3f, flush %.3f, idle %.3f; %.1f iterations per step-lane\n",
              tel.ticks_housekeeping / ticks, tel.ticks_refill / ticks, tel.ticks_step / ticks,
              tel.ticks_flush / ticks, tel.ticks_idle / ticks,
              double(tel.iterations) / double(tel.steps ? tel.steps : 1));
        // (2) one thread per photon, photons on the device beforehand
        Buffer<Photon, Device> d_photons(n);
        Device::copy_from_host(d_photons.data(), photons.data(), n * sizeof(Photon), {});
        Device::synchronize({});
        const auto t1 = Clock::now();
        thread_per_photon<<<static_cast<unsigned>((n + 127) / 128), 128>>>(
            physics, d_photons.data(), n, opt.seed, max_steps);
        CHROMA2_CUDA_TRY(cudaGetLastError());
        CHROMA2_CUDA_TRY(cudaDeviceSynchronize());
        const double tpp_s = std::chrono::duration<double>(Clock::now() - t1).count();
        std::vector<Photon> from_threads(n);
        Device::copy_to_host(from_threads.data(), d_photons.data(), n * sizeof(Photon), {});
        Device::synchronize({});
        // checks: every photon once and ended; the two drivers' photons one by one
        std::sort(from_worker.begin(), from_worker.end(),
                  [](const Photon& a, const Photon& b) { return a.id < b.id; });
        bool ok = done && from_worker.size() == n;
        std::uint64_t same = 0;
        for (std::uint64_t i = 0; ok && i < n; ++i) {
          ok = from_worker[i].id == i && from_worker[i].reason != TerminalReason::alive &&
               from_threads[i].reason != TerminalReason::alive;
          same += from_worker[i].reason == from_threads[i].reason &&
                  from_worker[i].steps == from_threads[i].steps &&
                  from_worker[i].rng_counter == from_threads[i].rng_counter;
        }
        const double agree = double(same) / double(n);
        ok = ok && agree > 0.999;
        all_ok = all_ok && ok;
        for (const Outcome& o : {summarise("persistent-worker", worker_s, from_worker),
                                 summarise("thread-per-photon", tpp_s, from_threads)}) {
          const auto frac = [&](TerminalReason r) {
            return double(o.reasons[static_cast<int>(r)]) / double(n);
          };
          table.print_row({detector, o.driver, str_printf("%llu", (unsigned long long)n),
                           str_printf("%u", max_steps), str_printf("%.4g", n / o.seconds),
                           str_printf("%.3f", double(o.steps) / n),
                           str_printf("%.4f", frac(TerminalReason::detected)),
                           str_printf("%.4f", frac(TerminalReason::surface_absorbed)),
                           str_printf("%.4f", frac(TerminalReason::bulk_absorbed)),
                           str_printf("%.4f", frac(TerminalReason::escaped)),
                           str_printf("%.4f", frac(TerminalReason::max_steps)),
                           str_printf("%.2f", o.median_detection_ns),
                           chroma_figure(detector, n, max_steps)});
          JsonLine()
              .add("bench", "detector")
              .add("detector", detector)
              .add("driver", o.driver)
              .add("photons", n)
              .add("max_steps", max_steps)
              .add("seconds", o.seconds)
              .add("photons_per_s", n / o.seconds)
              .add("steps_per_photon", double(o.steps) / n)
              .add("detected", frac(TerminalReason::detected))
              .add("surface_absorbed", frac(TerminalReason::surface_absorbed))
              .add("bulk_absorbed", frac(TerminalReason::bulk_absorbed))
              .add("no_hit", frac(TerminalReason::escaped))
              .add("out_of_steps", frac(TerminalReason::max_steps))
              .add("median_detection_ns", o.median_detection_ns)
              .add("drivers_agree", agree)
              .add("ok", ok)
              .print();
        }
        std::printf(
            "# %s %llu photons, %u steps: worker / thread-per-photon = %.2f; drivers "
            "agree on %.5f of the photons (ending, steps, RNG counter)%s\n",
            detector.c_str(), (unsigned long long)n, max_steps, tpp_s / worker_s, agree,
            ok ? "" : "  CHECK FAILED");
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
