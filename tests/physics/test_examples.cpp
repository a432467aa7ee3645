// SPDX-License-Identifier: BSD-3-Clause
// The customisation examples (examples/ice_scattering.hpp, examples/nested_spheres.hpp) on the
// host backend; gpu_physics.cu runs the same bodies on the GPU.
#include "example_bodies.hpp"

using namespace chroma2;
using namespace chroma2::test;

TEST_CASE("Henyey-Greenstein ice scattering gives a mean cosine of g through the worker",
          "[physics][examples][host][stats]") {
  check_ice_mean_cosine<Host>(1000000, 0.9f);
}

TEST_CASE("OpticalPhysics on analytic nested spheres absorbs the analytic fractions",
          "[physics][examples][host][stats]") {
  check_nested_spheres<Host>(1000000);
}
