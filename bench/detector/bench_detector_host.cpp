// SPDX-License-Identifier: BSD-3-Clause
// Chroma's demo detectors on CPU threads: the same geometry, tables, photons and physics as
// bench_detector (GPU), through (1) the persistent worker's host backend and (2) one task per
// photon on the same number of threads (each thread takes photons i, i + T, ...). The drivers must
// give the same final states (checked photon by photon). Prints photons/s and photons/s per core,
// and names the CPU. Default: 200,000 photons (--photons to change).
#include "bench/detector/detector_options.hpp"
#include "bench/support/report.hpp"
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
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using namespace chroma2;
using namespace chroma2::bench;

namespace {
using Clock = std::chrono::steady_clock;
using DetectorPhysics = OpticalPhysics<TriangleGeometryRef>;

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

int run(DetectorBenchOptions opt) {
  if (!opt.photons_given) opt.photons = {200000};
  const unsigned threads =
      opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  std::printf("# CPU: %s, %u threads\n", cpu_name().c_str(), threads);
  const auto dir = opt.data / "chroma-demo";
  const auto surface_specs = load_chroma_demo_surfaces(dir);
  MaterialSet<Host> materials(load_chroma_demo_materials(dir));
  SurfaceSet<Host> surfaces(surface_specs);
  check_surface_models<StandardSurfaceModels>(surface_specs);
  Table table({{"detector", 8, Align::left},
               {"driver", 18, Align::left},
               {"photons", 9},
               {"max_steps", 9},
               {"photons/s", 11},
               {"per core", 10},
               {"steps/photon", 12},
               {"detected", 9}});
  bool all_ok = true;
  for (const std::string& detector : opt.detectors) {
    const Scene scene = load_chroma_demo(dir, detector);
    check_scene_tables(scene, materials.size(), surfaces.size());
    const TriangleGeometry<Host> geometry = build_geometry(scene);
    const DetectorPhysics physics{geometry.ref(), materials.ref(), surfaces.ref()};
    table.print_header();
    for (std::uint64_t n : opt.photons)
      for (std::uint32_t max_steps : opt.max_steps) {
        const std::vector<Photon> photons = chroma_benchmark_photons(n);
        WorkerOptions wo;
        wo.output = OutputTier::photons;
        wo.page_capacity = 1u << 16;
        wo.inbox_capacity = static_cast<std::uint32_t>(n);
        wo.output_capacity = static_cast<std::uint32_t>(n);
        wo.max_events = 1;
        wo.max_steps = max_steps;
        wo.seed = opt.seed;
        wo.threads = threads;
        PersistentWorker<DetectorPhysics, Host> worker(physics, wo);
        std::vector<Photon> from_worker;
        from_worker.reserve(n);
        bool ok = worker.submit(photons) == n;
        worker.close_event(0);
        const auto t0 = Clock::now();
        worker.start();
        while (!worker.event_status(0).complete() && Clock::now() - t0 < std::chrono::minutes(10))
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        const double worker_s = std::chrono::duration<double>(Clock::now() - t0).count();
        const std::uint32_t events[] = {0};
        ok = worker.wait_events(events, from_worker, std::chrono::minutes(1)) && ok;
        worker.stop();
        // one task per photon on the same threads
        std::vector<Photon> from_tasks = photons;
        const auto t1 = Clock::now();
        {
          std::vector<std::jthread> pool;
          for (unsigned t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
              for (std::uint64_t i = t; i < n; i += threads)
                run_to_end(physics, from_tasks[i], opt.seed, max_steps);
            });
        }
        const double tasks_s = std::chrono::duration<double>(Clock::now() - t1).count();
        std::sort(from_worker.begin(), from_worker.end(),
                  [](const Photon& a, const Photon& b) { return a.id < b.id; });
        ok = ok && from_worker.size() == n;
        std::uint64_t same = 0;
        for (std::uint64_t i = 0; ok && i < n; ++i)
          same += std::memcmp(&from_worker[i], &from_tasks[i], sizeof(Photon)) == 0;
        ok = ok && same == n;  // one backend: bit for bit
        all_ok = all_ok && ok;
        for (const auto& [driver, seconds, out] :
             {std::tuple{"persistent-worker", worker_s, &from_worker},
              std::tuple{"task-per-photon", tasks_s, &from_tasks}}) {
          std::uint64_t steps = 0, detected = 0;
          for (const Photon& p : *out) {
            steps += p.steps;
            detected += p.reason == TerminalReason::detected;
          }
          const double rate = double(n) / seconds;
          table.print_row({detector, driver, str_printf("%llu", (unsigned long long)n),
                           str_printf("%u", max_steps), str_printf("%.4g", rate),
                           str_printf("%.4g", rate / threads),
                           str_printf("%.3f", double(steps) / n),
                           str_printf("%.4f", double(detected) / n)});
          JsonLine()
              .add("bench", "detector")
              .add("backend", "host")
              .add("cpu", cpu_name())
              .add("threads", threads)
              .add("detector", detector)
              .add("driver", driver)
              .add("photons", n)
              .add("max_steps", max_steps)
              .add("photons_per_s", rate)
              .add("photons_per_s_per_core", rate / threads)
              .add("steps_per_photon", double(steps) / n)
              .add("detected", double(detected) / n)
              .add("ok", ok)
              .print();
        }
        std::printf("# %s %llu photons: drivers identical on %llu of %llu photons%s\n",
                    detector.c_str(), (unsigned long long)n, (unsigned long long)same,
                    (unsigned long long)n, ok ? "" : "  CHECK FAILED");
      }
  }
  std::printf("# %s\n", all_ok ? "all checks passed" : "CHECK FAILED");
  return all_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_detector_bench_options(argc, argv));
  } catch (const chroma2::Error& e) {
    std::fprintf(stderr, "bench_detector_host: %s\n", e.what());
    return 2;
  }
}
