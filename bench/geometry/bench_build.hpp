// SPDX-License-Identifier: BSD-3-Clause
// The BVH build benchmark (bench_geometry_cpu --build-only): a synthetic detector of about N
// triangles (tessellated spheres, boxes and cylinders at random places and orientations in a 20 m
// cube, flattened to one mesh), built with build_bvh() alone and with build_geometry() on 1, 2,
// 4, ... up to every hardware thread. Each row is checked (check_bvh) and printed as a table line
// and a JSON line. Needs no data folder.
#pragma once

#include "bench/geometry/geometry_options.hpp"
#include "bench/support/report.hpp"
#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/bvh_check.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

namespace chroma2::bench {

// Shapes of different sizes and tessellations, placed until there are at least n triangles.
inline Scene make_build_scene(std::size_t n) {
  Scene s;
  const std::uint32_t shapes[] = {
      s.add_mesh(make_geodesic_sphere(120.0f, 4)),      // 5,120: a PMT-sized ball
      s.add_mesh(make_geodesic_sphere(40.0f, 3)),       // 1,280
      s.add_mesh(make_box({300.0f, 80.0f, 20.0f}, 6)),  // 432: a plank
      s.add_mesh(make_cylinder(60.0f, 400.0f, 48, 8)),  // a tube
      s.add_mesh(make_geodesic_sphere(1500.0f, 6)),     // 81,920: a big vessel
  };
  std::uint64_t h = 12345;
  auto rnd = [&] {  // [0, 1)
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    return float(h >> 40) * (1.0f / 16777216.0f);
  };
  std::size_t k = 0;
  while (s.placed_triangles() < n) {
    const std::uint32_t m = shapes[k % 40 == 39 ? 4 : k % 4];  // a vessel every 40th
    ++k;
    Vec3 axis{rnd() - 0.5f, rnd() - 0.5f, rnd() - 0.5f};
    const float len = std::sqrt(axis.x * axis.x + axis.y * axis.y + axis.z * axis.z) + 1e-6f;
    axis = {axis.x / len, axis.y / len, axis.z / len};
    const Vec3 t{20000.0f * rnd() - 10000.0f, 20000.0f * rnd() - 10000.0f,
                 20000.0f * rnd() - 10000.0f};
    s.add_placement(m, rotation_about(axis, 6.2831853f * rnd(), t));
  }
  return s.flattened();
}

// Returns 0 when every tree checked out, 1 otherwise.
inline int run_build_bench(const BuildBenchOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  Scene scene = make_build_scene(o.triangles);
  const Mesh& m = scene.meshes[0];
  std::vector<Aabb> boxes(m.size());
  for (std::size_t t = 0; t < m.size(); ++t)
    for (auto v : m.triangles[t]) boxes[t].grow(m.vertices[v]);
  std::vector<std::uint32_t> ids(m.size());
  std::iota(ids.begin(), ids.end(), 0u);
  std::printf("# synthetic scene: %zu triangles, made in %.2f s; hardware threads %u\n", m.size(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              std::thread::hardware_concurrency());
  const Table table({{"what", 10, Align::left},
                     {"threads", 8},
                     {"triangles", 12},
                     {"build_bvh s", 12},
                     {"bvh tri/s", 14},
                     {"geometry s", 12},
                     {"geometry tri/s", 14},
                     {"nodes", 8},
                     {"check", 6}});
  table.print_header();
  int bad = 0;
  for (unsigned threads : o.threads) {
    BvhBuildOptions bo;
    bo.threads = threads;
    double best_bvh = 1e30, best_geo = 1e30;
    BvhBuildOutput out;
    std::size_t geo_nodes = 0;
    for (int r = 0; r < o.repeats; ++r) {
      auto a = std::chrono::steady_clock::now();
      out = build_bvh(boxes, ids, bo);
      best_bvh = std::min(
          best_bvh, std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
      a = std::chrono::steady_clock::now();
      const TriangleGeometry<Host> g = build_geometry(scene, bo);
      best_geo = std::min(
          best_geo, std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
      geo_nodes = g.stats().nodes;
    }
    const BvhCheck c = check_bvh(out, boxes, ids);
    bad += !c.ok();
    const double n = double(m.size());
    table.print_row({"build", std::to_string(threads), std::to_string(m.size()),
                     str_printf("%.4f", best_bvh), str_printf("%.4e", n / best_bvh),
                     str_printf("%.4f", best_geo), str_printf("%.4e", n / best_geo),
                     std::to_string(out.nodes.size()), c.ok() ? "ok" : "BAD"});
    JsonLine()
        .add("bench", "geometry")
        .add("detector", "synthetic")
        .add("workload", "build_only")
        .add("backend", "cpu")
        .add("threads", threads)
        .add("triangles", m.size())
        .add("build_bvh_s", best_bvh)
        .add("bvh_triangles_per_s", n / best_bvh)
        .add("build_geometry_s", best_geo)
        .add("geometry_triangles_per_s", n / best_geo)
        .add("nodes", out.nodes.size())
        .add("geometry_nodes", geo_nodes)
        .add("depth", out.depth)
        .add("repeats", o.repeats)
        .add("check", c.ok() ? "ok" : "bad")
        .add("missing", c.missing)
        .add("duplicated", c.duplicated)
        .add("bad_boxes", c.bad_boxes)
        .add("bad_refs", c.bad_refs)
        .print();
  }
  std::printf("# check: every tree holds each triangle once inside its boxes: %s\n",
              bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}

}  // namespace chroma2::bench
