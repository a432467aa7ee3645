// SPDX-License-Identifier: BSD-3-Clause
// Scattering and elementary reflections against their analytic distributions (1e6 draws each,
// chi-square or KS with p > 1e-3): Rayleigh's 1 + cos²θ, sin²ψ and per-angle polarisation,
// Henyey–Greenstein's density and mean cosine, Lambert's cosine law, the exact mirror.
// The statistical tests are bodies in interaction_bodies.hpp, run here on the host and in
// gpu_interactions.cu on the GPU.
#include "interaction_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstdint>

using namespace chroma2;
using namespace chroma2::test;
using namespace chroma2::test::interaction;

namespace {

Rng make_rng(std::uint64_t stream) { return scatter_streams(stream).shared(); }

// Replays a fixed list of uniforms (cycling): drives a sampler to its edge cases.
struct ScriptedRng {
  const float* values;
  int count;
  int next = 0;
  float uniform() { return values[next++ % count]; }
};

}  // namespace

TEST_CASE("Rayleigh scattering of unpolarised light follows 1 + cos^2 theta (chi-square)",
          "[physics][scattering][rayleigh][host]") {
  check_rayleigh_unpolarised(HostExecutor{});
}

TEST_CASE("Rayleigh scattering of polarised light follows sin^2 psi about the polarisation",
          "[physics][scattering][rayleigh][host]") {
  check_rayleigh_polarised(HostExecutor{});
}

TEST_CASE("Rayleigh-scattered unpolarised light has <(e'.n)^2> = 1/(1 + cos^2 theta) per angle bin",
          "[physics][scattering][rayleigh][host]") {
  check_rayleigh_plane_polarisation(HostExecutor{});
}

TEST_CASE(
    "Rayleigh's new polarisation is unit and transverse, also when the new direction is "
    "along the old polarisation",
    "[physics][scattering][rayleigh][host]") {
  const Vec3 e = normalize(cross(oblique, Vec3{0, 1, 0}));
  // u = 1 gives cos ψ = +1, u = 2^-24 nearly −1: d′ ∥ ±E, the measure-zero case.
  const float edge[] = {1.0f, 0.3f, smallest_u, 0.7f, 0.5f, 0.5f, 1.0f, 1.0f};
  ScriptedRng scripted{edge, 8};
  for (int i = 0; i < 4; ++i) {
    const Beam b = sample_rayleigh(oblique, e, scripted);
    CHECK(beam_defect(b) < 1e-6);
  }
  ScriptedRng top{edge, 1};
  CHECK(std::fabs(dot(sample_rayleigh(oblique, e, top).direction, e)) > 1.0f - 1e-6f);
  // and the projection rule away from the edge
  check_rayleigh_projection(HostExecutor{});
}

TEST_CASE("Henyey-Greenstein cos theta equals the textbook inverse CDF",
          "[physics][scattering][hg][host]") {
  // μ = (1 + g² − s²)/(2g), s = (1 − g²)/(1 − g + 2gu), in double for the same float g and u
  double worst = 0;
  for (const float g : {0.99f, 0.9f, 0.5f, 0.1f, 1e-3f, -1e-3f, -0.3f, -0.8f, -0.99f}) {
    for (int i = 1; i <= 10000; ++i) {
      const float u = static_cast<float>(i / 10000.0);
      const double gd = g, s = (1 - gd * gd) / (1 - gd + 2 * gd * double(u));
      const double want = (1 + gd * gd - s * s) / (2 * gd);
      worst = std::fmax(worst, std::fabs(henyey_greenstein_cos(g, u) - want));
    }
  }
  INFO("max |mu - textbook| " << worst);
  CHECK(worst < 5e-7);
  // g = 0 is exactly isotropic: μ = 2u − 1
  for (const float u : {smallest_u, 0.25f, 0.5f, 1.0f})
    CHECK(henyey_greenstein_cos(0.0f, u) == 2 * u - 1);
}

TEST_CASE("Henyey-Greenstein scattering has mean cosine g and the HG density (chi-square)",
          "[physics][scattering][hg][host]") {
  check_henyey_greenstein(HostExecutor{});
}

TEST_CASE(
    "Henyey-Greenstein keeps the polarisation's projection and survives the degenerate azimuth",
    "[physics][scattering][hg][host]") {
  const Vec3 e = normalize(cross(oblique, Vec3{1, 0, 0}));
  auto rng = make_rng(20);
  double worst = 0;
  for (int i = 0; i < 100000; ++i) {
    const Beam b = sample_henyey_greenstein(oblique, e, 0.6f, rng);
    worst = std::fmax(worst, distance_to_projection(e, b.direction, b.polarisation));
  }
  INFO("max distance to the projected polarisation " << worst);
  CHECK(worst < 1e-5);
  // μ = 0 (u = 1/2 at g = 0) and φ = 0: d′ = E exactly, no transverse part left
  const float edge[] = {0.5f, 1.0f};
  ScriptedRng scripted{edge, 2};
  const Beam b = sample_henyey_greenstein(oblique, e, 0.0f, scripted);
  CHECK(beam_defect(b) < 1e-6);
}

TEST_CASE("Lambertian reflection follows the cosine law: sin^2 theta is uniform (KS)",
          "[physics][scattering][lambertian][host]") {
  check_lambertian(HostExecutor{});
}

TEST_CASE("Specular reflection mirrors direction and polarisation exactly",
          "[physics][scattering][specular][host]") {
  const Vec3 n{0.0f, 0.0f, 1.0f};
  const float s = 0.6f, c = 0.8f;
  const Vec3 d{s, 0.0f, -c};
  // s polarisation flips sign, p polarisation keeps its normal component (perfect mirror)
  const Beam bs = specular_reflection(d, Vec3{0, 1, 0}, n);
  CHECK(bs.direction == Vec3{s, 0.0f, c});
  CHECK(bs.polarisation == Vec3{0.0f, -1.0f, 0.0f});
  const Beam bp = specular_reflection(d, Vec3{c, 0.0f, s}, -n);  // other orientation, same result
  CHECK(bp.direction == Vec3{s, 0.0f, c});
  CHECK(bp.polarisation == Vec3{-c, 0.0f, s});
  auto rng = make_rng(40);
  double worst = 0, worst_twice = 0;
  for (int i = 0; i < 100000; ++i) {
    const Vec3 di = rng.isotropic(), e = rng.perpendicular_to(di), ni = rng.isotropic();
    const Beam once = specular_reflection(di, e, ni);
    const Beam twice = specular_reflection(once.direction, once.polarisation, ni);
    worst = std::fmax(worst, beam_defect(once));
    worst = std::fmax(worst, std::fabs(dot(once.direction, ni) + dot(di, ni)));
    worst_twice = std::fmax(worst_twice, norm(twice.direction - di) + norm(twice.polarisation - e));
  }
  INFO("max defect " << worst << ", max |twice - identity| " << worst_twice);
  CHECK(worst < 1e-6);
  CHECK(worst_twice < 3e-6);
}
