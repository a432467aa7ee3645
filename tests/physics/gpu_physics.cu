// SPDX-License-Identifier: BSD-3-Clause
// OpticalPhysics end to end on the GPU: the bodies of optical_bodies.hpp through the persistent
// kernel (Space = Device), the same assertions as the host tests. The [stats] cases run at full
// statistics plainly and are left out under compute-sanitizer, where the others run at reduced
// scale (conservation, NaN handling and timing are still asserted).
#include "detector_bodies.hpp"
#include "example_bodies.hpp"
#include "optical_bodies.hpp"
#include "support/data.hpp"
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

// The same photons on both backends: endings and step counts agree for all but a few photons whose
// path passes within a rounding error of a decision (fused multiply-adds and device sinf/logf
// differ from the host in the last bits); where they agree, positions agree to 1e-3 relative.
TEST_CASE("GPU and host give the same photons within the stated tolerance",
          "[physics][optical][gpu]") {
  const std::uint32_t n = scaled(100000, 5000);
  SurfaceSpec s;
  s.name = "coated";
  s.detect = flat_table(0.2);
  s.reflect_diffuse = flat_table(0.2);
  s.reflect_specular = flat_table(0.1);
  const std::vector<MaterialSpec> specs{simple_material("water", 1.33, 800.0, 300.0),
                                        simple_material("glass", 1.5, 500.0, 0.0)};
  MaterialSet<Host> host_materials(specs);
  MaterialSet<Device> device_materials(specs);
  SurfaceSet<Host> host_surfaces({s});
  SurfaceSet<Device> device_surfaces({s});
  PlaneGeometry plane;
  plane.point = {0, 0, 200};
  plane.surface = 0;
  const OpticalPhysics<PlaneGeometry> on_host{plane, host_materials.ref(), host_surfaces.ref()};
  const OpticalPhysics<PlaneGeometry> on_device{plane, device_materials.ref(),
                                                device_surfaces.ref()};
  std::vector<Photon> in;
  for (std::uint32_t i = 0; i < n; ++i)
    in.push_back(make_photon(i, {0, 0, 0}, {0, 0, 1}, {1, 0, 0}, 430.0f, true));
  const auto a = propagate<Host>(on_host, in);
  const auto b = propagate<Device>(on_device, in);
  REQUIRE(a.size() == b.size());
  std::size_t same_ending = 0, same_counter = 0, close = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool same =
        a[i].reason == b[i].reason && a[i].steps == b[i].steps && a[i].history == b[i].history;
    same_ending += same;
    same_counter += a[i].rng_counter == b[i].rng_counter;
    if (same) {
      const Vec3 d = a[i].position - b[i].position;
      close += norm(d) <= 1e-3f * (norm(a[i].position) + 1.0f);
    }
  }
  const double agree = double(same_ending) / n;
  std::printf(
      "host vs GPU over %u photons: same ending, steps and history %.4f%%, same RNG "
      "counter %.4f%%, positions within 1e-3 where the endings agree %.4f%%\n",
      n, 100 * agree, 100.0 * same_counter / n, 100.0 * close / same_ending);
  CHECK(agree > 0.999);
  CHECK(close == same_ending);
}

TEST_CASE("GPU: painted, metal and dichroic surfaces split photons by tables read between nodes",
          "[physics][optical][surfaces][gpu][stats]") {
  check_reflector_fractions<Device>(1000000);
}

TEST_CASE("GPU: a one-sided surface acts only on photons from its outer side",
          "[physics][optical][surfaces][gpu]") {
  check_one_sided_surface<Device>();
}

TEST_CASE("GPU: Chroma's tiny demo detector runs end to end: nothing escapes, photons are detected",
          "[physics][optical][detector][gpu][data]") {
  check_demo_detector<Device>(require_data_dir() / "chroma-demo", scaled(200000, 5000));
}
