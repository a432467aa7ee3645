// SPDX-License-Identifier: BSD-3-Clause
// Chroma's tiny demo detector end to end (when the data folder is present): its instanced meshes,
// Chroma's own material and surface tables, OpticalPhysics over the triangle geometry, photons of
// Chroma's benchmark (from the centre, isotropic, 400-800 nm). The wall is closed, so no photon may
// escape; every photon ends once; some are detected on the photocathodes.
#pragma once

#include "chroma2/geometry/builders.hpp"
#include "chroma2/geometry/triangle_geometry.hpp"
#include "chroma2/io/chroma_demo.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/io/chroma_demo_surfaces.hpp"
#include "chroma2/physics/scene_tables.hpp"
#include "optical_bodies.hpp"
#include "scene_run.hpp"

#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <string>

namespace chroma2::test {

template <class Space>
void check_demo_detector(const std::filesystem::path& dir, std::uint32_t n) {
  const std::vector<Photon> photons = chroma_benchmark_photons(n);
  const std::vector<Photon> out =
      run_scene<Space>(load_chroma_demo(dir, "tiny"), load_chroma_demo_materials(dir),
                       load_chroma_demo_surfaces(dir), photons, 100)
          .photons;
  std::size_t counts[static_cast<int>(TerminalReason::count_)] = {};
  std::size_t clamped = 0;
  std::string escaped;
  for (const Photon& p : out) {
    ++counts[static_cast<int>(p.reason)];
    clamped += (p.history & history::out_of_table) != 0;
    if (p.reason == TerminalReason::escaped && escaped.size() < 200)
      escaped += " " + std::to_string(p.id);
  }
  const auto fraction = [&](TerminalReason r) { return double(counts[int(r)]) / n; };
  INFO("tiny detector, " << n << " photons: detected " << fraction(TerminalReason::detected)
                         << ", surface absorbed " << fraction(TerminalReason::surface_absorbed)
                         << ", bulk absorbed " << fraction(TerminalReason::bulk_absorbed)
                         << ", out of steps " << fraction(TerminalReason::max_steps)
                         << "; out of table " << double(clamped) / n);
  INFO("escaped photons (ids):" << escaped);
  CHECK(counts[int(TerminalReason::escaped)] == 0);
  CHECK(counts[int(TerminalReason::nan_abort)] == 0);
  CHECK(counts[int(TerminalReason::detected)] > n / 1000);  // 0.67 % on the host at 2e4
  CHECK(counts[int(TerminalReason::detected)] + counts[int(TerminalReason::surface_absorbed)] +
            counts[int(TerminalReason::bulk_absorbed)] + counts[int(TerminalReason::max_steps)] ==
        n);
  // the water tables end at 789.9 nm: photons above it read the last value and are flagged
  CHECK(clamped > 0);
  CHECK(double(clamped) / n < 0.05);
}

}  // namespace chroma2::test
