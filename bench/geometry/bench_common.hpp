// SPDX-License-Identifier: BSD-3-Clause
// The geometry benchmark's shared part: Chroma's demo detectors built instanced (and flattened as
// the in-run baseline), the two ray workloads generated from a counter (so the GPU and the CPU
// trace the very same rays), the CPU measurement on 1..N threads, and the output (table + JSON).
// Options: geometry_options.hpp.
#pragma once

#include "bench/geometry/geometry_options.hpp"
#include "bench/support/report.hpp"
#include "chroma2/config/macros.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/io/chroma_demo.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace chroma2::bench {

enum class Workload : int { from_centre = 0, incoherent = 1 };
inline const char* workload_name(Workload w) {
  return w == Workload::from_centre ? "a_centre_isotropic" : "b_incoherent";
}

CHROMA2_HD inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
CHROMA2_HD inline float unit_float(std::uint64_t bits) {
  return float(bits >> 40) * (1.0f / 16777216.0f);  // [0, 1)
}

// Ray i of a workload: isotropic direction; origin at the centre (a) or uniform in a ball of
// `radius` mm around it (b).
CHROMA2_HD inline Ray bench_ray(std::uint64_t i, Workload w, float radius) {
  const std::uint64_t h0 = mix64(i * 4 + 0), h1 = mix64(i * 4 + 1);
  const float cz = 1 - 2 * unit_float(h0), phi = 6.2831853f * unit_float(h1);
  const float s = std::sqrt(std::fmax(0.0f, 1 - cz * cz));
  const Vec3 d{s * std::cos(phi), s * std::sin(phi), cz};
  Vec3 o{0, 0, 0};
  if (w == Workload::incoherent) {
    const std::uint64_t h2 = mix64(i * 4 + 2), h3 = mix64(i * 4 + 3);
    const float oz = 1 - 2 * unit_float(h2), ophi = 6.2831853f * unit_float(h3);
    const float os = std::sqrt(std::fmax(0.0f, 1 - oz * oz));
    const float r = radius * std::cbrt(unit_float(mix64(h3)));
    o = {r * os * std::cos(ophi), r * os * std::sin(ophi), r * oz};
  }
  return {o, 0.0f, d, 1e30f};
}

struct TraceMeasurement {
  std::string detector, workload, backend;
  double rays_per_s = 0;
  std::size_t rays = 0;
  unsigned threads = 0;
  double build_s = 0;
  std::size_t memory_bytes = 0;
  std::size_t misses = 0;
};

inline const Table& trace_table() {
  static const Table table({{"detector", 14, Align::left},
                            {"workload", 20, Align::left},
                            {"backend", 10, Align::left},
                            {"threads", 8},
                            {"rays", 12},
                            {"rays/s", 14},
                            {"build s", 10},
                            {"memory MB", 12},
                            {"misses", 8}});
  return table;
}

inline void print_header() { trace_table().print_header(); }

inline void print(const TraceMeasurement& m) {
  trace_table().print_row({m.detector, m.workload, m.backend, std::to_string(m.threads),
                           std::to_string(m.rays), str_printf("%.3e", m.rays_per_s),
                           str_printf("%.3f", m.build_s), str_printf("%.2f", m.memory_bytes / 1e6),
                           std::to_string(m.misses)});
  JsonLine()
      .add("bench", "geometry")
      .add("detector", m.detector)
      .add("workload", m.workload)
      .add("backend", m.backend)
      .add("rays_per_s", m.rays_per_s)
      .add("rays", m.rays)
      .add("threads", m.threads)
      .add("build_s", m.build_s)
      .add("memory_bytes", m.memory_bytes)
      .add("misses", m.misses)
      .print();
}

// Traces n rays on `threads` host threads; returns rays/s and counts misses.
inline TraceMeasurement cpu_measure(const TriangleGeometryRef& g, Workload w, float radius,
                                    std::size_t n, unsigned threads) {
  std::atomic<std::size_t> misses{0};
  std::atomic<std::uint64_t> checksum{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned k = 0; k < threads; ++k)
    pool.emplace_back([&, k] {
      std::size_t miss = 0;
      std::uint64_t sum = 0;
      for (std::size_t i = k; i < n; i += threads) {
        const Hit h = g.closest_hit(bench_ray(i, w, radius));
        miss += !h.hit();
        sum += h.primitive;
      }
      misses += miss;
      checksum += sum;
    });
  for (auto& t : pool) t.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  TraceMeasurement m;
  m.workload = workload_name(w);
  m.backend = "cpu";
  m.rays = n;
  m.threads = threads;
  m.rays_per_s = n / s;
  m.misses = misses.load();
  return m;
}

struct Detector {
  std::string name;
  TriangleGeometry<Host> geometry;
  float inner_radius;  // workload (b) draws origins within this radius, mm
};

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Loads and builds the detectors. The flattened full detector is the expensive baseline: built
// only when asked ("on"), or ("auto") when the flattened tiny one predicts it under `budget_s`.
inline std::vector<Detector> build_detectors(const std::filesystem::path& demo,
                                             const std::string& full_flat, double budget_s) {
  std::vector<Detector> out;
  auto add = [&](const std::string& name, Scene s, float r) {
    const auto t0 = std::chrono::steady_clock::now();
    TriangleGeometry<Host> g = build_geometry(s);
    const double build_s = seconds_since(t0);
    std::printf(
        "# built %s: %zu placements, %zu placed triangles, %zu nodes, %.3f s (%u threads)\n",
        name.c_str(), s.placements.size(), s.placed_triangles(), g.stats().nodes, build_s,
        g.stats().threads);
    JsonLine()
        .add("bench", "geometry")
        .add("detector", name)
        .add("workload", "build")
        .add("backend", "cpu")
        .add("threads", g.stats().threads)
        .add("build_s", build_s)
        .add("unique_triangles", g.stats().unique_triangles)
        .add("triangles_per_s", g.stats().unique_triangles / build_s)
        .add("placements", s.placements.size())
        .add("nodes", g.stats().nodes)
        .add("memory_bytes", g.bytes())
        .print();
    out.push_back({name, std::move(g), r});
  };
  Scene tiny = load_chroma_demo(demo, "tiny");
  add("full", load_chroma_demo(demo, "full"), 13000.0f);
  const auto t0 = std::chrono::steady_clock::now();
  add("tiny_flat", tiny.flattened(), 1900.0f);
  const double tiny_flat_s = seconds_since(t0);
  add("tiny", std::move(tiny), 1900.0f);
  // measured: the big build runs about 2.5x slower per triangle (caches); 60 s on 2 cores
  const double predicted = tiny_flat_s * 58961296.0 / 389568.0 * 2.5;
  const bool want = full_flat == "on" || (full_flat == "auto" && predicted < budget_s);
  std::printf("# flattened full detector: predicted %.1f s to flatten and build; %s\n", predicted,
              want ? "building it" : "skipped (pass --full-flat=on to force)");
  if (want) {
    const auto t1 = std::chrono::steady_clock::now();
    Scene flat = load_chroma_demo(demo, "full").flattened();
    std::printf("# flattened the full detector in %.1f s\n", seconds_since(t1));
    add("full_flat", std::move(flat), 13000.0f);
  }
  return out;
}

// What a query costs on average (the same on both backends: same rays, same tree): nodes
// visited, triangles tested and placements entered per ray.
inline void print_cost(const Detector& d, Workload w, std::size_t n = 20000) {
  TraversalCounters c;
  for (std::size_t i = 0; i < n; ++i)
    (void)d.geometry.ref().closest_hit(bench_ray(i, w, d.inner_radius), c);
  std::printf("# cost %s %s per ray: %.1f nodes, %.1f triangles, %.2f placements entered\n",
              d.name.c_str(), workload_name(w), double(c.nodes) / n, double(c.triangles) / n,
              double(c.instances) / n);
  JsonLine()
      .add("bench", "geometry")
      .add("detector", d.name)
      .add("workload", workload_name(w))
      .add("backend", "any")
      .add("metric", "cost")
      .add("nodes_per_ray", double(c.nodes) / n)
      .add("triangles_per_ray", double(c.triangles) / n)
      .add("placements_per_ray", double(c.instances) / n)
      .print();
}

// The CPU part: each detector and workload on 1, 2, 4, ... up to every hardware thread.
inline std::vector<TraceMeasurement> run_cpu(std::vector<Detector>& dets, std::size_t rays) {
  std::vector<TraceMeasurement> all;
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  std::vector<unsigned> counts;
  for (unsigned t = 1; t < hw; t *= 2) counts.push_back(t);
  counts.push_back(hw);
  for (auto& d : dets)
    for (Workload w : {Workload::from_centre, Workload::incoherent}) {
      print_cost(d, w);
      for (unsigned t : counts) {
        const std::size_t n = std::min<std::size_t>(rays * t, rays * 16);
        TraceMeasurement m = cpu_measure(d.geometry.ref(), w, d.inner_radius, n, t);
        m.detector = d.name;
        m.build_s = d.geometry.stats().build_seconds;
        m.memory_bytes = d.geometry.bytes();
        print(m);
        all.push_back(m);
      }
    }
  return all;
}

}  // namespace chroma2::bench
