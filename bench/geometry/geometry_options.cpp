// SPDX-License-Identifier: BSD-3-Clause
// The geometry benchmarks' command lines (geometry_options.hpp): the trace options both mains
// share, the GPU main's own, and bench_geometry_cpu's --build-only mode with its options.
#include "bench/geometry/geometry_options.hpp"

#include "bench/support/cli.hpp"
#include "chroma2/config/data_dir.hpp"

#include <algorithm>
#include <thread>

namespace chroma2::bench {

namespace {

constexpr const char* trace_about =
    "Closest-hit rays through Chroma's demo detectors (instanced, and flattened as the "
    "baseline): (a) from the centre, (b) incoherent";

// The options of the trace benchmark, which both mains take; returned for bench_geometry_cpu to
// keep them apart from --build-only.
std::vector<CLI::Option*> add_trace_options(CommandLine& cli, GeometryBenchOptions& o) {
  return {
      cli.option("data", o.data,
                 "the shared data folder (default: CHROMA2_DATA_DIR, else "
                 "../shared/data next to the sources)")
          ->type_name("DIR"),
      cli.option("--full-flat", o.full_flat,
                 "build the flattened full detector: on, off, or auto (when predicted to "
                 "take under 40 s)")
          ->check(CLI::IsMember({"auto", "on", "off"})),
      cli.option("--cpu-rays", o.cpu_rays, "CPU rays per thread")->check(in_range<std::size_t>(1))};
}

void find_data(GeometryBenchOptions& o) {
  if (!o.data.empty()) return;
  const auto d = find_data_dir();
  if (!d) fail(data_dir_absent_message(), "", "");
  o.data = *d;
}

}  // namespace

GeometryBenchOptions parse_geometry_options(int argc, char** argv) {
  GeometryBenchOptions o;
  CommandLine cli(std::string(trace_about) + ", on the GPU and the CPU");
  add_trace_options(cli, o);
  bool no_cpu = false;
  cli.option("--gpu-rays", o.gpu_rays, "GPU rays per detector and workload")
      ->check(in_range<std::size_t>(1));
  cli.flag("--no-cpu", no_cpu, "skip the CPU measurements");
  cli.parse(argc, argv);
  o.cpu = !no_cpu;
  find_data(o);
  return o;
}

GeometryCpuBenchOptions parse_geometry_cpu_options(int argc, char** argv) {
  GeometryCpuBenchOptions o;
  CommandLine cli(std::string(trace_about) +
                  ", on 1..N CPU threads; or with --build-only the BVH build speed on a "
                  "synthetic detector (no data folder)");
  CLI::Option* build_only =
      cli.flag("--build-only", o.build_only, "time the BVH build on a synthetic detector instead");
  for (CLI::Option* trace : add_trace_options(cli, o.trace)) trace->excludes(build_only);
  cli.option("--triangles", o.build.triangles, "--build-only: triangles of the synthetic detector")
      ->check(in_range<std::size_t>(1))
      ->needs(build_only);
  cli.repeatable("--threads", o.build.threads,
                 "--build-only: build threads (repeatable; default 1, 2, 4, ... and every "
                 "hardware thread)")
      ->check(in_range(1u))
      ->needs(build_only);
  cli.option("--repeats", o.build.repeats, "--build-only: repeats, the best counts")
      ->check(in_range(1))
      ->needs(build_only);
  cli.parse(argc, argv);
  if (o.build_only) {
    if (o.build.threads.empty()) {
      const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
      for (unsigned t = 1; t < hw; t *= 2) o.build.threads.push_back(t);
      o.build.threads.push_back(hw);
    }
  } else {
    find_data(o.trace);
  }
  return o;
}

}  // namespace chroma2::bench
