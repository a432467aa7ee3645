// SPDX-License-Identifier: BSD-3-Clause
// The BVH build benchmark (bench_geometry_cpu --build-only): a synthetic detector of about N
// triangles (tessellated spheres, boxes and cylinders at random places and orientations in a 20 m
// cube, flattened to one mesh), built with build_bvh() alone and with build_geometry() on 1, 2,
// 4, ... up to every hardware thread. Each row is checked (check_bvh) and printed as a table line
// and a JSON line. Needs no data folder.
#pragma once

#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/bvh_build.hpp"
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

struct BuildOptions {
  std::size_t triangles = 4000000;
  std::vector<unsigned> threads;  // empty: 1, 2, 4, ... and every hardware thread
  int repeats = 3;                // best of
};

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

inline BuildOptions parse_build_options(int argc, char** argv) {
  BuildOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail("option " + a + " needs a value", "", "fix the command line");
      return argv[++i];
    };
    if (a == "--build-only")
      continue;
    else if (a == "--triangles")
      o.triangles = std::stoull(value());
    else if (a == "--threads")
      o.threads.push_back(static_cast<unsigned>(std::stoul(value())));
    else if (a == "--repeats")
      o.repeats = std::max(1, std::stoi(value()));
    else
      fail("unknown option '" + a + "' with --build-only",
           "options are --triangles N, --threads T (repeatable), --repeats R",
           "fix the command line");
  }
  if (o.threads.empty()) {
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 1; t < hw; t *= 2) o.threads.push_back(t);
    o.threads.push_back(hw);
  }
  return o;
}

// Returns 0 when every tree checked out, 1 otherwise.
inline int run_build_bench(const BuildOptions& o) {
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
  std::printf("%-10s %8s %12s %12s %14s %12s %14s %8s %6s\n", "what", "threads", "triangles",
              "build_bvh s", "bvh tri/s", "geometry s", "geometry tri/s", "nodes", "check");
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
    std::printf("%-10s %8u %12zu %12.4f %14.4e %12.4f %14.4e %8zu %6s\n", "build", threads,
                m.size(), best_bvh, n / best_bvh, best_geo, n / best_geo, out.nodes.size(),
                c.ok() ? "ok" : "BAD");
    std::printf(
        "{\"bench\":\"geometry\",\"detector\":\"synthetic\",\"workload\":\"build_only\","
        "\"backend\":\"cpu\",\"threads\":%u,\"triangles\":%zu,\"build_bvh_s\":%.5f,"
        "\"bvh_triangles_per_s\":%.4e,\"build_geometry_s\":%.5f,"
        "\"geometry_triangles_per_s\":%.4e,\"nodes\":%zu,\"geometry_nodes\":%zu,\"depth\":%d,"
        "\"repeats\":%d,\"check\":\"%s\",\"missing\":%zu,\"duplicated\":%zu,\"bad_boxes\":%zu,"
        "\"bad_refs\":%zu}\n",
        threads, m.size(), best_bvh, n / best_bvh, best_geo, n / best_geo, out.nodes.size(),
        geo_nodes, out.depth, o.repeats, c.ok() ? "ok" : "bad", c.missing, c.duplicated,
        c.bad_boxes, c.bad_refs);
    std::fflush(stdout);
  }
  std::printf("# check: every tree holds each triangle once inside its boxes: %s\n",
              bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}

}  // namespace chroma2::bench
