// SPDX-License-Identifier: BSD-3-Clause
// Fresnel optics against the textbook: reflectances vs angle (Hecht's sine and tangent forms, in
// double), TIR, normal and grazing incidence, the reflected fraction of 1e6 photons, outgoing
// polarisation vectors against Born & Wolf's amplitudes in double, and metals (complex index).
// The statistical tests are bodies in interaction_bodies.hpp, run here on the host and in
// gpu_interactions.cu on the GPU.
#include "interaction_bodies.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <complex>
#include <cstdint>
#include <initializer_list>
#include <utility>

using namespace chroma2;
using namespace chroma2::test;
using namespace chroma2::test::interaction;

namespace {

Rng make_rng(std::uint64_t stream) { return fresnel_streams(stream).shared(); }

// Always the same number: forces a branch (2⁻²⁴ reflects whenever R > 0, 1 refracts unless TIR).
struct ConstantRng {
  float value;
  float uniform() { return value; }
};

// Double-precision 3-vectors for the reference polarisations.
struct D3 {
  double x, y, z;
};
D3 operator+(D3 a, D3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
D3 operator*(double s, D3 a) { return {s * a.x, s * a.y, s * a.z}; }
D3 unit(D3 a) { return (1.0 / std::sqrt(a.x * a.x + a.y * a.y + a.z * a.z)) * a; }
double distance(D3 a, Vec3 b) {
  return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) +
                   (a.z - b.z) * (a.z - b.z));
}

}  // namespace

TEST_CASE("Fresnel reflectances match the textbook formulas at every angle within 1e-6",
          "[physics][fresnel][host]") {
  const double pairs[][2] = {{1.0, 1.5}, {1.5, 1.0}, {1.0, 1.33}, {1.33, 1.5}, {1.5, 1.33}};
  for (const auto& pair : pairs) {
    const float n1 = static_cast<float>(pair[0]), n2 = static_cast<float>(pair[1]);
    double worst = 0, worst_at = 0, worst_vec = 0;
    int tir_wrong = 0;
    for (int i = 0; i <= 9000; ++i) {  // 0° to 90° by 0.01°
      const double theta = std::fmin(i * 0.01, 89.99) * pi / 180.0;
      const Vec3 d = incident(theta);
      const float cos_i = -d.z;
      const double theta_exact = std::acos(static_cast<double>(cos_i));  // the float's angle
      const TextbookR want = textbook_reflectance(theta_exact, n1, n2);
      const FresnelCoefficients c = fresnel_coefficients(cos_i, n1, n2);
      tir_wrong += c.total_internal != want.tir;
      const double rs = double(c.r_s) * c.r_s, rp = double(c.r_p) * c.r_p;
      const double dev = std::fmax(std::fabs(rs - want.s), std::fabs(rp - want.p));
      const double dev_unpolarised = std::fabs(0.5 * (rs + rp) - 0.5 * (want.s + want.p));
      if (std::fmax(dev, dev_unpolarised) > worst)
        worst = std::fmax(dev, dev_unpolarised), worst_at = theta;
      // The same through the vector interface, s and p polarised.
      const Vec3 e_s{0.0f, 1.0f, 0.0f};
      const Vec3 e_p = normalize(cross(e_s, d));
      worst_vec = std::fmax(worst_vec, std::fabs(fresnel_reflectance(d, e_s, up, n1, n2) - want.s));
      worst_vec = std::fmax(worst_vec, std::fabs(fresnel_reflectance(d, e_p, up, n1, n2) - want.p));
    }
    INFO(n1 << " -> " << n2 << ": max |R - R_textbook| " << worst << " at " << worst_at * 180 / pi
            << " deg; vector interface " << worst_vec);
    CHECK(tir_wrong == 0);
    CHECK(worst < 1e-6);
    CHECK(worst_vec < 2e-6);
  }
}

TEST_CASE("Transmitted amplitudes conserve energy: R + (n2 cos t / n1 cos i) t^2 = 1",
          "[physics][fresnel][host]") {
  for (const auto& [n1, n2] :
       {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}, std::pair{1.0f, 2.4f}}) {
    double worst = 0, worst_snell = 0;
    for (int i = 0; i < 900; ++i) {
      const float cos_i = static_cast<float>(std::cos(i * 0.1 * pi / 180.0));
      const FresnelCoefficients c = fresnel_coefficients(cos_i, n1, n2);
      if (c.total_internal) continue;
      const double k = double(n2) * c.cos_t / (double(n1) * cos_i);
      worst = std::fmax(worst, std::fabs(double(c.r_s) * c.r_s + k * c.t_s * c.t_s - 1.0));
      worst = std::fmax(worst, std::fabs(double(c.r_p) * c.r_p + k * c.t_p * c.t_p - 1.0));
      // Snell's law for the returned cos t: cos²t = 1 − (n1/n2)² sin²i
      const double eta = double(n1) / n2;
      const double cos_t = std::sqrt(1.0 - eta * eta * (1.0 - double(cos_i) * cos_i));
      worst_snell = std::fmax(worst_snell, std::fabs(c.cos_t - cos_t));
    }
    INFO(n1 << " -> " << n2 << ": max energy-balance deviation " << worst
            << ", max |cos t - Snell's| " << worst_snell);
    CHECK(worst < 2e-6);
    CHECK(worst_snell < 1e-6);
  }
}

TEST_CASE("Above the critical angle every photon is totally internally reflected",
          "[physics][fresnel][host]") {
  const float n1 = 1.5f, n2 = 1.0f;
  const double critical = std::asin(1.0 / 1.5);
  auto rng = make_rng(1);
  for (int i = 1; i <= 480; ++i) {
    const double theta = critical + i * (pi / 2 - critical) / 481.0;
    const Vec3 d = incident(theta);
    const FresnelCoefficients c = fresnel_coefficients(-d.z, n1, n2);
    REQUIRE(c.total_internal);
    CHECK(c.t_s == 0.0f);
    CHECK(c.t_p == 0.0f);
    const Vec3 e = normalize(Vec3{0.3f, 0.8f, 0.0f} - dot(Vec3{0.3f, 0.8f, 0.0f}, d) * d);
    CHECK(fresnel_reflectance(d, e, up, n1, n2) == 1.0f);
    for (int k = 0; k < 20; ++k) {
      const DielectricOutcome o = interact_dielectric(d, e, up, n1, n2, rng);
      REQUIRE(o.reflected);
      REQUIRE(o.total_internal);
      CHECK(o.direction == reflect(d, up));
    }
  }
  // Just below it nothing is total: refraction still happens.
  const FresnelCoefficients below =
      fresnel_coefficients(static_cast<float>(std::cos(critical - 1e-4)), n1, n2);
  CHECK_FALSE(below.total_internal);
  CHECK(below.t_s > 0.0f);
}

TEST_CASE("At exact normal incidence R = ((n1-n2)/(n1+n2))^2 and nothing is NaN",
          "[physics][fresnel][host]") {
  const Vec3 d{0.0f, 0.0f, -1.0f};
  const Vec3 e{0.6f, 0.8f, 0.0f};
  for (const auto& [n1, n2] :
       {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}, std::pair{1.33f, 1.33f}}) {
    const double r0 = (double(n1) - n2) / (double(n1) + n2);
    const FresnelCoefficients c = fresnel_coefficients(1.0f, n1, n2);
    CHECK(std::fabs(double(c.r_s) * c.r_s - r0 * r0) < 1e-7);
    CHECK(std::fabs(double(c.r_p) * c.r_p - r0 * r0) < 1e-7);
    CHECK(std::fabs(c.r_p + c.r_s) < 1e-7);  // r_p = −r_s: one reflected field r_s·E
    for (const Vec3 normal : {up, -up}) {    // either orientation
      CHECK(std::fabs(fresnel_reflectance(d, e, normal, n1, n2) - r0 * r0) < 1e-7);
      ConstantRng reflect_it{smallest_u}, refract_it{1.0f};
      const DielectricOutcome r = interact_dielectric(d, e, normal, n1, n2, reflect_it);
      const DielectricOutcome t = interact_dielectric(d, e, normal, n1, n2, refract_it);
      CHECK(t.direction == d);
      CHECK_FALSE(t.reflected);
      // reflected field r_s·E: −E going into the denser medium, +E coming out of it
      const float sign = n1 < n2 ? -1.0f : 1.0f;
      if (n1 != n2) {
        REQUIRE(r.reflected);
        CHECK(r.direction == Vec3{0.0f, 0.0f, 1.0f});
        CHECK(norm(r.polarisation - sign * e) < 1e-6f);
      }
      CHECK(norm(t.polarisation - e) < 1e-6f);
    }
  }
}

TEST_CASE("Near normal incidence the outgoing polarisation is continuous with normal incidence",
          "[physics][fresnel][host]") {
  const Vec3 e0{0.6f, 0.8f, 0.0f};
  for (const auto& [n1, n2] : {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}}) {
    ConstantRng refl{smallest_u}, refr{1.0f};
    const DielectricOutcome r0 = interact_dielectric(Vec3{0, 0, -1}, e0, up, n1, n2, refl);
    const DielectricOutcome t0 = interact_dielectric(Vec3{0, 0, -1}, e0, up, n1, n2, refr);
    for (const double theta : {1e-7, 1e-5, 1e-3}) {
      for (const double azimuth : {0.0, 1.0, 2.5}) {  // plane of incidence at several azimuths
        const Vec3 d{static_cast<float>(std::sin(theta) * std::cos(azimuth)),
                     static_cast<float>(std::sin(theta) * std::sin(azimuth)),
                     static_cast<float>(-std::cos(theta))};
        const Vec3 e = normalize(e0 - dot(e0, d) * d);
        const DielectricOutcome r = interact_dielectric(d, e, up, n1, n2, refl);
        const DielectricOutcome t = interact_dielectric(d, e, up, n1, n2, refr);
        INFO("theta " << theta << " azimuth " << azimuth);
        CHECK(norm(r.polarisation - r0.polarisation) < 3 * theta + 1e-6);
        CHECK(norm(t.polarisation - t0.polarisation) < 3 * theta + 1e-6);
      }
    }
  }
}

TEST_CASE("Grazing incidence gives no NaN and the textbook R at 89.99 degrees",
          "[physics][fresnel][host]") {
  const double theta = 89.99 * pi / 180.0;
  for (const auto& [n1, n2] :
       {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}, std::pair{1.2f, 1.2f}}) {
    const Vec3 d = incident(theta);
    const TextbookR want = textbook_reflectance(std::acos(double(-d.z)), n1, n2);
    const FresnelCoefficients c = fresnel_coefficients(-d.z, n1, n2);
    if (n1 != n2) {
      CHECK(std::fabs(double(c.r_s) * c.r_s - want.s) < 1e-6);
      CHECK(std::fabs(double(c.r_p) * c.r_p - want.p) < 1e-6);
    }
    // exactly in the surface, and at 89.99°: both beams finite, unit and transverse
    for (const Vec3 dir : {d, Vec3{1.0f, 0.0f, 0.0f}}) {
      for (const Vec3 e : {Vec3{0.0f, 1.0f, 0.0f}, normalize(cross(Vec3{0, 1, 0}, dir))}) {
        const DielectricBoundary b = dielectric_boundary(dir, e, up, n1, n2);
        for (const Beam beam : {b.reflected(), b.refracted()}) {
          CHECK(std::isfinite(beam.polarisation.x + beam.polarisation.y + beam.polarisation.z));
          CHECK(std::fabs(norm(beam.polarisation) - 1.0f) < 1e-6f);
          CHECK(std::fabs(norm(beam.direction) - 1.0f) < 1e-6f);
          CHECK(std::fabs(dot(beam.direction, beam.polarisation)) < 1e-6f);
        }
        CHECK(std::isfinite(b.reflectance()));
      }
    }
  }
}

TEST_CASE("The fraction of 1e6 photons reflected equals R (binomial z-test)",
          "[physics][fresnel][host]") {
  check_fresnel_reflected_fractions(HostExecutor{});
}

TEST_CASE(
    "Polarisation at 45 degrees between s and p follows the amplitude formulas from 0 to 89 "
    "degrees within 1e-5",
    "[physics][fresnel][host]") {
  for (const auto& [n1, n2] : {std::pair{1.0, 1.5}, std::pair{1.5, 1.0}}) {
    double worst_r = 0, worst_t = 0;
    for (int deg = 0; deg <= 89; ++deg) {
      const double th = deg * pi / 180.0;
      // Reference frame (d × ẑ normalised, its limit at 0°): ŝ = −ŷ, p̂_k = ŝ × k for each beam.
      const D3 s{0, -1, 0}, p{std::cos(th), 0, std::sin(th)}, p_r{-std::cos(th), 0, std::sin(th)};
      const double e = 1 / std::sqrt(2.0);
      const Vec3 d = incident(th);
      const Vec3 pol45 = normalize(Vec3{float(e * p.x), float(-e), float(e * p.z)});
      ConstantRng refl{smallest_u}, refr{1.0f};
      const DielectricOutcome r = interact_dielectric(d, pol45, up, float(n1), float(n2), refl);
      const DielectricOutcome t = interact_dielectric(d, pol45, up, float(n1), float(n2), refr);
      const double sin_t = n1 / n2 * std::sin(th);
      if (sin_t >= 1.0) {  // TIR: convention r_s = r_p = 1 (phase dropped)
        REQUIRE(r.total_internal);
        worst_r = std::fmax(worst_r, distance(unit(e * s + e * p_r), r.polarisation));
        continue;
      }
      // Born & Wolf §1.5.2: amplitudes from the angles; their 0/0 limits at normal incidence.
      const double tt = std::asin(sin_t);
      const double rs = deg == 0 ? (n1 - n2) / (n1 + n2) : -std::sin(th - tt) / std::sin(th + tt);
      const double rp = deg == 0 ? (n2 - n1) / (n1 + n2) : std::tan(th - tt) / std::tan(th + tt);
      const double ts =
          deg == 0 ? 2 * n1 / (n1 + n2) : 2 * std::sin(tt) * std::cos(th) / std::sin(th + tt);
      const double tp =
          deg == 0 ? 2 * n1 / (n1 + n2)
                   : 2 * std::sin(tt) * std::cos(th) / (std::sin(th + tt) * std::cos(th - tt));
      const D3 p_t{std::cos(tt), 0, std::sin(tt)};
      const D3 d_t{std::sin(tt), 0, -std::cos(tt)};
      REQUIRE(r.reflected);
      REQUIRE_FALSE(t.reflected);
      worst_r = std::fmax(worst_r, distance(unit(rs * e * s + rp * e * p_r), r.polarisation));
      worst_t = std::fmax(worst_t, distance(unit(ts * e * s + tp * e * p_t), t.polarisation));
      CHECK(distance(d_t, t.direction) < 1e-6);
      CHECK(distance(D3{std::sin(th), 0, std::cos(th)}, r.direction) < 1e-6);
    }
    INFO(n1 << " -> " << n2 << ": max |E_r - expected| " << worst_r << ", max |E_t - expected| "
            << worst_t);
    CHECK(worst_r < 1e-5);
    CHECK(worst_t < 1e-5);
  }
}

TEST_CASE("At Brewster's angle p light is not reflected and reflected light is pure s",
          "[physics][fresnel][host]") {
  for (const auto& [n1, n2] :
       {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}, std::pair{1.33f, 1.7f}}) {
    const double brewster = std::atan(double(n2) / n1);
    const Vec3 d = incident(brewster);
    const Vec3 e_s{0.0f, -1.0f, 0.0f};
    const Vec3 e_p = cross(e_s, d);
    const DielectricBoundary pb = dielectric_boundary(d, e_p, up, n1, n2);
    INFO(n1 << " -> " << n2 << ": r_p at Brewster " << pb.coefficients.r_p);
    CHECK(std::fabs(pb.coefficients.r_p) < 1e-6f);
    CHECK(pb.reflectance() < 1e-12f);
    const DielectricBoundary mixed = dielectric_boundary(d, normalize(e_s + e_p), up, n1, n2);
    CHECK(std::fabs(std::fabs(dot(mixed.reflected().polarisation, e_s)) - 1.0f) < 1e-6f);
    // and p light never reflects in 1e5 tries
    auto rng = make_rng(7);
    int reflected = 0;
    for (int i = 0; i < 100000; ++i)
      reflected += interact_dielectric(d, e_p, up, n1, n2, rng).reflected;
    CHECK(reflected == 0);
  }
}

TEST_CASE("Random boundaries always give unit, transverse, finite beams obeying Snell's law",
          "[physics][fresnel][host]") {
  check_random_boundaries(HostExecutor{});
}

TEST_CASE("Degenerate inputs (equal indices, longitudinal or zero polarisation) give no NaN",
          "[physics][fresnel][host]") {
  const Vec3 d = incident(0.4);
  for (const Vec3 e : {Vec3{0, 0, 0}, d, Vec3{0, 1, 0}}) {
    for (const Vec3 dir : {d, Vec3{0, 0, -1}, Vec3{1, 0, 0}}) {
      for (const float u : {smallest_u, 1.0f}) {
        ConstantRng rng{u};
        const DielectricOutcome o = interact_dielectric(dir, e, up, 1.3f, 1.3f, rng);
        CHECK(std::isfinite(o.polarisation.x + o.polarisation.y + o.polarisation.z));
        CHECK(std::fabs(norm(o.polarisation) - 1.0f) < 1e-6f);
        CHECK(std::fabs(dot(o.polarisation, o.direction)) < 1e-6f);
      }
    }
  }
  // equal indices: nothing reflects and the photon goes straight on
  CHECK(fresnel_reflectance(d, Vec3{0, 1, 0}, up, 1.3f, 1.3f) < 1e-12f);
  ConstantRng through{1.0f};
  CHECK(norm(interact_dielectric(d, Vec3{0, 1, 0}, up, 1.3f, 1.3f, through).direction - d) < 1e-6f);
}

// Complex index: Born & Wolf §14.2 written directly with std::complex<double>.
namespace {
struct MetalR {
  double s, p;
};
MetalR metal_reflectance(double theta, double n1, std::complex<double> n2) {
  const double ci = std::cos(theta), si = std::sin(theta);
  const std::complex<double> cos_t = std::sqrt(1.0 - (n1 * si / n2) * (n1 * si / n2));
  const std::complex<double> rs = (n1 * ci - n2 * cos_t) / (n1 * ci + n2 * cos_t);
  const std::complex<double> rp = (n2 * ci - n1 * cos_t) / (n2 * ci + n1 * cos_t);
  return {std::norm(rs), std::norm(rp)};
}
}  // namespace

TEST_CASE("Complex-index reflectance matches a double-precision complex reference at all angles",
          "[physics][fresnel][host]") {
  const std::complex<double> metals[] = {
      {2.0, 3.0}, {1.2, 7.0}, {0.2, 3.0}, {2.8, 1.5}, {1.5, 1e-3}};
  for (const double n1 : {1.0, 1.33}) {
    for (const auto n2 : metals) {
      double worst = 0;
      for (int i = 0; i <= 900; ++i) {
        const float cos_i = static_cast<float>(std::cos(std::fmin(i * 0.1, 89.99) * pi / 180.0));
        const ComplexReflectance got =
            complex_fresnel_reflectance(cos_i, float(n1), float(n2.real()), float(n2.imag()));
        const MetalR want = metal_reflectance(std::acos(double(cos_i)), float(n1),
                                              {float(n2.real()), float(n2.imag())});
        worst = std::fmax(worst, std::fmax(std::fabs(got.s - want.s), std::fabs(got.p - want.p)));
      }
      INFO("n1 " << n1 << " n2 " << n2 << ": max |R - R_ref| " << worst);
      CHECK(worst < 2e-6);
    }
  }
}

TEST_CASE(
    "A metal of index 2 + 3i reflects ((n1-n2)(n1-n2)*)/((n1+n2)(n1+n2)*) at normal "
    "incidence",
    "[physics][fresnel][host]") {
  const ComplexReflectance r = complex_fresnel_reflectance(1.0f, 1.0f, 2.0f, 3.0f);
  const double want = (1.0 + 9.0) / (9.0 + 9.0);  // |1 − (2+3i)|² / |1 + (2+3i)|²
  CHECK(std::fabs(r.s - want) < 1e-6);
  CHECK(std::fabs(r.p - want) < 1e-6);
}

TEST_CASE(
    "Without absorption the complex formula equals the real Fresnel reflectance, TIR included",
    "[physics][fresnel][host]") {
  for (const auto& [n1, n2] : {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}}) {
    double worst = 0;
    for (int i = 0; i <= 900; ++i) {
      const float cos_i = static_cast<float>(std::cos(i * 0.1 * pi / 180.0));
      const ComplexReflectance z = complex_fresnel_reflectance(cos_i, n1, n2, 0.0f);
      const FresnelCoefficients c = fresnel_coefficients(cos_i, n1, n2);
      worst = std::fmax(worst, std::fabs(z.s - double(c.r_s) * c.r_s));
      worst = std::fmax(worst, std::fabs(z.p - double(c.r_p) * c.r_p));
    }
    INFO(n1 << " -> " << n2 << ": max |R_complex - R_real| " << worst);
    CHECK(worst < 2e-6);
  }
}
