// SPDX-License-Identifier: BSD-3-Clause
// The built-in default detector: its geometry (PMTs on the sphere, facing the centre, not
// overlapping, the photocathode on their faces) and its physics on the CPU backend
// (default_detector_bodies.hpp; gpu_tools.cpp runs the same bodies on the GPU).
#include "chroma2/io/default_detector.hpp"
#include "default_detector_bodies.hpp"
#include "tools/sim/run.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <algorithm>
#include <cmath>

using namespace chroma2;
using namespace chroma2::sim;
using Catch::Matchers::WithinAbs;

TEST_CASE("default detector geometry", "[default]") {
  const DetectorSpec d = default_detector();
  REQUIRE(d.scene.placements.size() == 10001);
  CHECK(d.channels == 10000);
  CHECK(d.materials.size() == 4);
  CHECK(d.surfaces.size() == 3);
  const PmtShape shape{};
  std::vector<Vec3> centres;
  for (std::size_t k = 1; k < d.scene.placements.size(); ++k) {
    const Placement& p = d.scene.placements[k];
    CHECK(p.channel == std::int32_t(k - 1));
    centres.push_back(p.transform.t);
    const Vec3 face = p.transform.rotate({0, 0, 1});
    REQUIRE_THAT(norm(p.transform.t), WithinAbs(7750, 0.01));
    REQUIRE_THAT(dot(face, p.transform.t) / norm(p.transform.t), WithinAbs(-1, 1e-5));
  }
  // no two bulbs overlap: sorted by z, neighbours within a bulb diameter in z are checked
  std::sort(centres.begin(), centres.end(), [](Vec3 a, Vec3 b) { return a.z < b.z; });
  float closest = 1e30f;
  for (std::size_t i = 0; i < centres.size(); ++i)
    for (std::size_t j = i + 1; j < centres.size() && centres[j].z - centres[i].z < 400; ++j)
      closest = std::min(closest, norm(centres[j] - centres[i]));
  CHECK(closest > 2 * shape.bulb_radius_mm + 10);
  // the photocathode (surface 0) is the front of the vacuum boundary, its back absorbs (1)
  const Mesh& pmt = d.scene.meshes[1];
  std::size_t cathode = 0, back = 0, misplaced = 0;
  for (std::size_t t = 0; t < pmt.size(); ++t) {
    const auto m = pmt.materials[t];
    const auto& tri = pmt.triangles[t];
    const float z = pmt.vertices[tri[0]].z + pmt.vertices[tri[1]].z + pmt.vertices[tri[2]].z;
    cathode += m.surface == 0;
    back += m.surface == 1;
    misplaced += (m.surface == 0 && z <= 0) || (m.surface == 1 && z > 0) ||
                 (m.surface == -1 && !(m.inner == 1 && m.outer == 0));
  }
  CHECK(misplaced == 0);
  CHECK(cathode > 0);
  CHECK(back > 0);
  // coverage: bulb cross-sections over the sphere the faces sit on
  const double coverage =
      10000 * shape.bulb_radius_mm * shape.bulb_radius_mm / (4 * 7750.0 * 7750.0);
  CHECK_THAT(coverage, WithinAbs(0.43, 0.01));
}

TEST_CASE("a pencil beam into one PMT is detected as its optics say", "[default][stats]") {
  test::pencil_beam_into_a_pmt(
      [](const DetectorSpec& d, const RunRequest& r) { return run_cpu(d, r, {}); });
}

TEST_CASE("the centre source lights the PMTs uniformly in cos theta", "[default][stats]") {
  test::centre_source_lights_pmts_uniformly(
      [](const DetectorSpec& d, const RunRequest& r) { return run_cpu(d, r, {}); });
}
