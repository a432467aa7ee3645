// SPDX-License-Identifier: BSD-3-Clause
// Geometry benchmark, CPU backend: Chroma's demo detectors (instanced, and flattened as the
// baseline), workloads (a) rays from the centre and (b) incoherent rays, on 1..N threads.
// Usage: bench_geometry_cpu [data dir] [--full-flat=auto|on|off] [--cpu-rays=N per thread]
//        bench_geometry_cpu --build-only [--triangles N] [--threads T]... [--repeats R]
//          (BVH build speed on a synthetic detector, no data folder; see bench_build.hpp)
#include "bench/geometry/bench_build.hpp"
#include "bench/geometry/bench_common.hpp"

int main(int argc, char** argv) try {
  using namespace chroma2::bench;
  const GeometryCpuBenchOptions options = parse_geometry_cpu_options(argc, argv);
  if (options.build_only) return run_build_bench(options.build);
  const GeometryBenchOptions& o = options.trace;
  auto dets = build_detectors(o.data / "chroma-demo", o.full_flat, o.full_flat_budget_s);
  print_header();
  const auto all = run_cpu(dets, o.cpu_rays);
  std::size_t centre_misses = 0;
  for (const auto& m : all)
    if (m.workload == workload_name(Workload::from_centre)) centre_misses += m.misses;
  std::printf("# check: rays from the centre that missed: %zu (must be 0)\n", centre_misses);
  return centre_misses == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_geometry_cpu: %s\n", e.what());
  return 2;
}
