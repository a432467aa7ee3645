// SPDX-License-Identifier: BSD-3-Clause
// The built-in default detector: its geometry (PMTs on the sphere, facing the centre, not
// overlapping, the photocathode on their faces) and its physics on the CPU backend — a pencil beam
// into one PMT is detected with the probability the Fresnel transmission, the glass and the
// photocathode's efficiency give, and an isotropic source lights the PMTs uniformly in cos θ (χ²).
#include "chroma2/io/default_detector.hpp"
#include "support/stats.hpp"
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
  DetectorSpec d = default_detector();
  const Placement& p = d.scene.placements[1];  // channel 0
  const float a = PmtShape{}.bulb_radius_mm;
  d.source.kind = SourceSpec::Kind::beam;
  d.source.position = p.transform.apply({0, 0, a + 10});
  d.source.direction = p.transform.rotate({0, 0, -1});
  d.source.radius_mm = 0;
  d.source.wavelength = {WavelengthChoice::Kind::fixed, 400, 400, {}};
  RunRequest req;
  req.photons = 400'000;
  req.threads = 2;
  req.seed = 5;
  const RunOutcome r = run_cpu(d, req, {});
  REQUIRE(r.tally.photons() == req.photons);
  std::uint64_t on_target = 0;
  for (const HitRecord& h : r.hits) on_target += h.channel == 0;
  // water -> glass at normal incidence, 3 mm of glass, then the photocathode's 25 % at 400 nm
  const double nw = pure_water_refractive_index(400), ng = 1.462 + 3200.0 / (400.0 * 400.0);
  const double transmitted = 1 - std::pow((ng - nw) / (ng + nw), 2);
  const double expected = transmitted * std::exp(-3.0 / 1000.0) * 0.25;
  const double measured = double(on_target) / double(req.photons);
  const double sigma = std::sqrt(expected * (1 - expected) / double(req.photons));
  INFO("measured " << measured << " expected " << expected << " sigma " << sigma);
  CHECK(std::fabs(measured - expected) < 5 * sigma);
}

TEST_CASE("the centre source lights the PMTs uniformly in cos theta", "[default][stats]") {
  const DetectorSpec d = default_detector();
  RunRequest req;
  req.photons = 1'000'000;
  req.threads = 2;
  req.seed = 11;
  const RunOutcome r = run_cpu(d, req, {});
  const EventTally& t = r.tally;
  REQUIRE(t.photons() >= req.photons);
  CHECK(t[TerminalReason::escaped] == 0);
  CHECK(t[TerminalReason::nan_abort] == 0);
  CHECK(t[TerminalReason::detected] == r.hits.size());
  const int bins = 20;
  std::vector<double> counts(bins, 0);
  for (const HitRecord& h : r.hits) {
    REQUIRE(h.channel >= 0);
    const Vec3 c = d.scene.placements[std::size_t(h.channel) + 1].transform.t;
    const double u = c.z / norm(c);
    counts[std::min(bins - 1, int((u + 1) / 2 * bins))] += 1;
  }
  const double n = double(r.hits.size());
  double chi2 = 0;
  for (double c : counts) chi2 += (c - n / bins) * (c - n / bins) / (n / bins);
  INFO("hits " << n << " chi2 " << chi2);
  CHECK(n > 0.02 * req.photons);
  CHECK(chi2 < 43.8);  // 19 degrees of freedom, p = 0.001
}
