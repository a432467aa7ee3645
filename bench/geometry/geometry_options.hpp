// SPDX-License-Identifier: BSD-3-Clause
// The geometry benchmarks' options: tracing rays through Chroma's demo detectors (both mains)
// and, in bench_geometry_cpu --build-only, timing the BVH build. Declared without CLI11 so that
// bench_geometry.cu can call its parser; geometry_options.cpp defines them over bench/support.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace chroma2::bench {

struct GeometryBenchOptions {
  std::filesystem::path data;  // the shared data folder; default: find_data_dir()
  std::string full_flat = "auto";
  double full_flat_budget_s = 40;
  std::size_t cpu_rays = 100000;  // per thread
  std::size_t gpu_rays = 20000000;
  bool cpu = true;  // GPU bench: trace on the CPU too
};

struct BuildBenchOptions {
  std::size_t triangles = 4000000;
  std::vector<unsigned> threads;  // 1, 2, 4, ... and every hardware thread unless given
  int repeats = 3;                // best of
};

// What bench_geometry_cpu was asked for: the trace benchmark or (build_only) the build one.
struct GeometryCpuBenchOptions {
  bool build_only = false;
  GeometryBenchOptions trace;
  BuildBenchOptions build;
};

// The command lines of bench_geometry and bench_geometry_cpu. Bad input exits with status 2 and
// a message (0 after --help); a data folder that cannot be found throws chroma2::Error.
GeometryBenchOptions parse_geometry_options(int argc, char** argv);
GeometryCpuBenchOptions parse_geometry_cpu_options(int argc, char** argv);

}  // namespace chroma2::bench
