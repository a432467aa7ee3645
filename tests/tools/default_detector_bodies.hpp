// SPDX-License-Identifier: BSD-3-Clause
// Physics of the default detector, one body per check, run by the host tests (run_cpu) and the
// GPU tests (run_cuda): a pencil beam into one PMT is detected with the probability the Fresnel
// transmission, the glass and the photocathode's efficiency give; an isotropic source at the
// centre lights the PMTs uniformly in cos θ (χ² over 20 bands).
#pragma once

#include "chroma2/io/default_detector.hpp"
#include "tools/sim/run.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <functional>

namespace chroma2::test {

using Runner = std::function<sim::RunOutcome(const DetectorSpec&, const sim::RunRequest&)>;
using sim::RunOutcome;
using sim::RunRequest;

inline void pencil_beam_into_a_pmt(Runner run) {
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
  const RunOutcome r = run(d, req);
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

inline void centre_source_lights_pmts_uniformly(Runner run) {
  const DetectorSpec d = default_detector();
  RunRequest req;
  req.photons = 1'000'000;
  req.threads = 2;
  req.seed = 11;
  const RunOutcome r = run(d, req);
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

}  // namespace chroma2::test
