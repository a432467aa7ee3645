// SPDX-License-Identifier: BSD-3-Clause
// OpticalPhysics end to end on the GPU: the bodies of optical_bodies.hpp through the persistent
// kernel (Space = Device), the same assertions as the host tests. The [stats] cases run at full
// statistics plainly and are left out under compute-sanitizer, where the others run at reduced
// scale (conservation, NaN handling and timing are still asserted).
#include "example_bodies.hpp"
#include "optical_bodies.hpp"
#include "support/scale.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("GPU: absorption lengths follow Beer-Lambert and time follows the path",
          "[physics][optical][gpu][stats]") {
  check_beer_lambert<Device>(1000000);
}

TEST_CASE("GPU: absorption and Rayleigh scattering race by their lengths",
          "[physics][optical][gpu][stats]") {
  check_absorption_scattering_race<Device>(1000000);
}

TEST_CASE("GPU: arrival times follow the group velocity of a dispersive medium",
          "[physics][optical][gpu]") {
  check_group_velocity_timing<Device>();
}

TEST_CASE("GPU: a dielectric plane reflects s and p light with the Fresnel reflectance",
          "[physics][optical][gpu][stats]") {
  check_fresnel_fractions<Device>(200000);
}

TEST_CASE("GPU: Chroma's surface model splits photons by its tables and Fresnel takes the rest",
          "[physics][optical][gpu][stats]") {
  check_chroma_surface<Device>(1000000);
}

TEST_CASE("GPU: a source 20 um from a detector counts the same at the origin and 30 m away",
          "[physics][optical][gpu][stats]") {
  check_translation_invariance<Device>(1000000);
}

TEST_CASE("GPU: non-finite photons end with nan_abort and are counted", "[physics][optical][gpu]") {
  check_nan_photons<Device>();
}

TEST_CASE("GPU: conservation and surfaces at reduced scale", "[physics][optical][gpu]") {
  check_chroma_surface_conservation<Device>(scaled(20000, 2000));
}

TEST_CASE("GPU: Henyey-Greenstein ice scattering gives a mean cosine of g through the worker",
          "[physics][examples][gpu][stats]") {
  check_ice_mean_cosine<Device>(1000000, 0.9f);
}

TEST_CASE("GPU: OpticalPhysics on analytic nested spheres absorbs the analytic fractions",
          "[physics][examples][gpu][stats]") {
  check_nested_spheres<Device>(1000000);
}

TEST_CASE("GPU: every standard surface model runs through the worker and conserves photons",
          "[physics][optical][surfaces][gpu]") {
  check_every_surface_model<Device>(scaled(20000, 2000));
}
