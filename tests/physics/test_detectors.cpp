// SPDX-License-Identifier: BSD-3-Clause
// Detectors end to end on the host backend (the persistent worker on std::jthreads): a fully
// detecting analytic sphere (sphere_detector_bodies.hpp) and a small instanced detector the suite
// builds itself (instanced_detector_bodies.hpp); gpu_detectors.cu runs the same bodies on the GPU.
#include "driver_bodies.hpp"
#include "instanced_detector_bodies.hpp"
#include "sphere_detector_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("A fully detecting sphere around a point source detects exp(-R/L) at time R n_g / c",
          "[physics][detector][host][stats]") {
  check_detecting_sphere<Host>(1000000);
}

TEST_CASE("A closed instanced detector lets no photon escape and puts every hit on its channel",
          "[physics][detector][host]") {
  check_instanced_detector_closed<Host>(1000000);
}

TEST_CASE("An instanced detector's PMTs detect by their efficiency and solid angle",
          "[physics][detector][host][stats]") {
  check_instanced_detector_statistics<Host>(1000000);
}

TEST_CASE("The worker and the relaunch and one-by-one drivers end the photons identically",
          "[physics][detector][host]") {
  check_drivers_agree<Host>(scaled(20000, 2000));
}
