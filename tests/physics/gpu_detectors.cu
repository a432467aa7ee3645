// SPDX-License-Identifier: BSD-3-Clause
// Detectors end to end on the GPU: the bodies of sphere_detector_bodies.hpp and
// instanced_detector_bodies.hpp through the persistent kernel (Space = Device), the same
// assertions as test_detectors.cpp. The [stats] cases run at full statistics plainly and are left
// out under compute-sanitizer, where the others run at reduced scale (conservation, escapes,
// channels and hit positions are still asserted).
#include "driver_bodies.hpp"
#include "instanced_detector_bodies.hpp"
#include "sphere_detector_bodies.hpp"
#include "support/scale.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("GPU: a fully detecting sphere around a point source detects exp(-R/L) at time R n_g / c",
          "[physics][detector][gpu][stats]") {
  check_detecting_sphere<Device>(1000000);
}

TEST_CASE("GPU: a fully detecting sphere puts every hit on its channel at R n_g / c, reduced scale",
          "[physics][detector][gpu]") {
  check_detecting_sphere<Device>(scaled(20000, 2000));
}

TEST_CASE(
    "GPU: a closed instanced detector lets no photon escape and puts every hit on its channel",
    "[physics][detector][gpu]") {
  check_instanced_detector_closed<Device>(scaled(1000000, 5000));
}

TEST_CASE("GPU: an instanced detector's PMTs detect by their efficiency and solid angle",
          "[physics][detector][gpu][stats]") {
  check_instanced_detector_statistics<Device>(1000000);
}

// Independent runs (each backend its own run seed): the detected fractions agree within binomial
// statistics (two-proportion z-test).
TEST_CASE("GPU and host detect the same fraction of photons in the instanced detector",
          "[physics][detector][gpu][stats]") {
  const std::uint32_t n = 200000;
  const DetectedCount a = instanced_detector_detected<Host>(n, 101);
  const DetectedCount b = instanced_detector_detected<Device>(n, 202);
  const double p = double(a.detected + b.detected) / double(a.n + b.n);
  const double z = (double(a.detected) / a.n - double(b.detected) / b.n) /
                   std::sqrt(p * (1 - p) * (1.0 / a.n + 1.0 / b.n));
  INFO("detected on the host " << a.detected << ", on the GPU " << b.detected << " of " << n
                               << " each (z = " << z << ")");
  CHECK(a.detected > 0);
  CHECK(std::fabs(z) < 3.29);
}

TEST_CASE("GPU: the worker ends the photons as the host's relaunch and one-by-one drivers do",
          "[physics][detector][gpu]") {
  check_drivers_agree<Device>(scaled(20000, 2000));
}
