// SPDX-License-Identifier: BSD-3-Clause
// Rough and coated surfaces against their expected probabilities: UNIFIED facets and reflected
// directions against a numerical integration of the model, the polished limit, reflection types,
// and painted, metal and dichroic surfaces' fractions (1e6 photons each, chi-square p > 1e-3).
// The statistical tests are bodies in interaction_bodies.hpp, run here on the host and in
// gpu_interactions.cu on the GPU.
#include "interaction_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdint>

using namespace chroma2;
using namespace chroma2::test;
using namespace chroma2::test::interaction;

namespace {

Rng make_rng(std::uint64_t stream) { return surface_streams(stream).shared(); }

}  // namespace

TEST_CASE("UNIFIED facet tilts follow exp(-a^2/2s^2) sin a on (0, pi/2) with uniform azimuth",
          "[physics][surface][unified][host]") {
  check_facet_tilts(HostExecutor{});
}

TEST_CASE("UNIFIED reflected directions match a numerical integration of the facet model",
          "[physics][surface][unified][host]") {
  check_unified_directions(HostExecutor{});
}

TEST_CASE("UNIFIED with sigma_alpha = 0 is the polished dielectric: same outcomes, same draws",
          "[physics][surface][unified][host]") {
  auto a = make_rng(30), b = make_rng(30), c = make_rng(30), src = make_rng(31);
  int differ = 0;
  for (int i = 0; i < 100000; ++i) {
    const Vec3 d = src.isotropic(), e = src.perpendicular_to(d), n = src.isotropic();
    const DielectricOutcome p = interact_dielectric(d, e, n, 1.0f, 1.5f, a);
    const DielectricOutcome f = interact_unified_facet(d, e, n, 1.0f, 1.5f, 0.0f, b);
    const UnifiedOutcome u = interact_unified(d, e, n, 1.0f, 1.5f, 0.0f, {0.1f, 0.2f, 0.3f}, c);
    differ += !(p.direction == f.direction && p.polarisation == f.polarisation &&
                p.reflected == f.reflected);
    differ += !(p.direction == u.direction && p.polarisation == u.polarisation &&
                p.reflected == u.reflected);
  }
  CHECK(differ == 0);
  CHECK(a.counter() == b.counter());
  CHECK(a.counter() == c.counter());
  const float next = a.uniform();  // the streams go on in step
  CHECK(b.uniform() == next);
  CHECK(c.uniform() == next);
}

TEST_CASE("UNIFIED with a tiny sigma_alpha converges to the polished dielectric",
          "[physics][surface][unified][host]") {
  check_unified_tiny_sigma(HostExecutor{});
}

TEST_CASE("Reflection types are chosen with their probabilities and go where they should",
          "[physics][surface][unified][host]") {
  check_reflection_types(HostExecutor{});
}

TEST_CASE(
    "The full UNIFIED interaction leaves every photon on the side it claims, unit and "
    "transverse",
    "[physics][surface][unified][host]") {
  check_full_unified(HostExecutor{});
}

TEST_CASE("Front paint reflects with its reflectivity, specularly or diffusely, never transmits",
          "[physics][surface][painted][host]") {
  check_front_paint(HostExecutor{});
}

TEST_CASE("Polished back paint: fractions follow Fresnel in, paint, Fresnel out, repeated",
          "[physics][surface][painted][host]") {
  check_polished_back_paint(HostExecutor{});
  // From the denser side above the critical angle the layer is never entered.
  auto rng = make_rng(90);
  int specular = 0;
  for (int i = 0; i < 10000; ++i)
    specular += back_painted(incident(1.0), Vec3{0, 1, 0}, up, 1.5f, 1.0f, 0.5f,
                             ReflectorFinish::ground, rng)
                    .fate == SurfaceFate::reflected_specular;
  CHECK(specular == 10000);
}

TEST_CASE("Ground back paint: fractions follow Fresnel in, Lambertian paint, mean Fresnel out",
          "[physics][surface][painted][host]") {
  check_ground_back_paint(HostExecutor{});
}

TEST_CASE("Back paint absorbs a photon trapped for max_paint_bounces reflections",
          "[physics][surface][painted][host]") {
  // Enter (u = 1), then forever: paint reflects (u = 0.5 ≤ ρ), Fresnel sends it back (u = 2⁻²⁴).
  struct TrapRng {
    int calls = 0;
    float uniform() {
      const int n = calls++;
      return n == 0 ? 1.0f : (n % 2 ? 0.5f : 1.0f / 16777216.0f);
    }
  } trap;
  const SurfaceOutcome o = back_painted(incident(0.5), Vec3{0, 1, 0}, up, 1.0f, 1.5f, 1.0f,
                                        ReflectorFinish::polished, trap);
  CHECK(o.fate == SurfaceFate::absorbed);
  CHECK(trap.calls == 1 + 2 * max_paint_bounces);
}

TEST_CASE(
    "A metal reflects with its reflectivity; absorbed photons are detected with the efficiency",
    "[physics][surface][metal][host]") {
  check_metal(HostExecutor{});
}

TEST_CASE(
    "A metal of complex index reflects e_s^2 R_s + e_p^2 R_p and detects (1 - R) x efficiency",
    "[physics][surface][metal][host]") {
  check_complex_metal(HostExecutor{});
}

TEST_CASE("A dichroic filter reflects with R, passes straight through with T, absorbs the rest",
          "[physics][surface][dichroic][host]") {
  check_dichroic(HostExecutor{});
}
