// SPDX-License-Identifier: BSD-3-Clause
// Rough and coated surfaces against their expected probabilities: UNIFIED facets and reflected
// directions against a numerical integration of the model, the polished limit, reflection types,
// and painted, metal and dichroic surfaces' fractions (1e6 photons each, chi-square p > 1e-3).
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/physics/surface_models.hpp"
#include "chroma2/physics/unified.hpp"
#include "support/stats.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

using namespace chroma2;
using namespace chroma2::test;

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr std::uint64_t surface_seed = 0x5a1f'ace5'2026'0003ull;
constexpr int samples = 1000000;
using Rng = PhotonRng<Philox4x32Policy>;
Rng make_rng(std::uint64_t stream) { return Rng({}, RngKey{surface_seed, stream, 17}, 0); }

constexpr Vec3 up{0.0f, 0.0f, 1.0f};
Vec3 incident(double theta) {
  return {static_cast<float>(std::sin(theta)), 0.0f, static_cast<float>(-std::cos(theta))};
}

// Dielectric reflectance in double from Born & Wolf's amplitudes (cos forms); e_s2 = E_s².
double reflectance(double cos_i, double n1, double n2, double e_s2) {
  const double s2 = (n1 / n2) * (n1 / n2) * (1 - cos_i * cos_i);
  if (s2 >= 1) return 1;
  const double ct = std::sqrt(1 - s2);
  const double rs = (n1 * cos_i - n2 * ct) / (n1 * cos_i + n2 * ct);
  const double rp = (n2 * cos_i - n1 * ct) / (n2 * cos_i + n1 * ct);
  return e_s2 * rs * rs + (1 - e_s2) * rp * rp;
}

// Gauss–Legendre nodes and weights on [-1, 1], 8 points.
constexpr double gl_x[8] = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290,
                            -0.1834346424956498, 0.1834346424956498,  0.5255324099163290,
                            0.7966664774136267,  0.9602898564975363};
constexpr double gl_w[8] = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873,
                            0.3626837833783620, 0.3626837833783620, 0.3137066458778873,
                            0.2223810344533745, 0.1012285362903763};
template <class F>
double integrate(double a, double b, F f) {
  double s = 0;
  for (int i = 0; i < 8; ++i) s += gl_w[i] * f(0.5 * (a + b) + 0.5 * (b - a) * gl_x[i]);
  return 0.5 * (b - a) * s;
}

// Counts per category against probabilities (which sum to 1).
ChiSquare chi_square_fractions(const std::vector<double>& counts, const std::vector<double>& prob) {
  double n = 0;
  for (double c : counts) n += c;
  std::vector<double> obs, expect;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (prob[i] <= 0) {
      REQUIRE(counts[i] == 0);  // an impossible category must stay empty
      continue;
    }
    obs.push_back(counts[i]);
    expect.push_back(n * prob[i]);
  }
  return chi_square(obs, expect);
}

double beam_defect(Vec3 d, Vec3 e) {
  if (!std::isfinite(d.x + d.y + d.z + e.x + e.y + e.z)) return 1e30;
  return std::fmax(std::fmax(std::fabs(norm(d) - 1.0), std::fabs(norm(e) - 1.0)),
                   std::fabs(dot(d, e)));
}

// Fates of `samples` photons (direction d, polarisation e, on the surface z = 0) from
// model(rng), and how many went where their fate forbids: a specular reflection off the mirror
// direction, a diffuse one into the surface, an unreflected one moved or repolarised.
struct Tally {
  std::vector<double> counts;
  int misplaced;
};
template <class Model>
Tally tally_fates(Vec3 d, Vec3 e, Rng rng, Model model) {
  Tally t{std::vector<double>(5, 0.0), 0};
  const Vec3 mirror = reflect(d, up);
  for (int i = 0; i < samples; ++i) {
    const SurfaceOutcome o = model(rng);
    t.counts[static_cast<int>(o.fate)] += 1;
    if (o.fate == SurfaceFate::reflected_specular) {
      t.misplaced += !(o.direction == mirror);
    } else if (o.fate == SurfaceFate::reflected_diffuse) {
      t.misplaced += o.direction.z <= 0;
    } else {
      t.misplaced += !(o.direction == d && o.polarisation == e);
    }
  }
  return t;
}

// ---- UNIFIED reference: the single-facet model integrated over the facet distribution ----
// A photon d = (sin θi, 0, −cos θi) on the mean normal ẑ; facet n = (sin α cos φ, sin α sin φ,
// cos α) with weight exp(−α²/2σ²) sin α where d·n < 0. Reflected with R(facet) into
// d_r = d − 2(d·n)n, whose polar angle obeys cos θr = cos θi cos 2α − sin θi sin 2α cos φ. For each
// α the φ circle is cut where the facet turns away and where θr crosses a bin edge; R is smooth
// between cuts and integrated there by Gauss–Legendre; α is integrated by panels.
struct UnifiedReference {
  std::vector<double> reflected;  // probability per θr bin
  double transmitted;
};

UnifiedReference unified_reference(double theta_i, double sigma, double n1, double n2, Vec3 e_f,
                                   int bins) {
  const double sin_i = std::sin(theta_i), cos_i = std::cos(theta_i);
  const double dx = sin_i, dz = -cos_i;
  const double ex = e_f.x, ey = e_f.y, ez = e_f.z;
  UnifiedReference ref{std::vector<double>(bins, 0.0), 0.0};
  double norm_total = 0;
  const double alpha_max = std::fmin(pi / 2, 9 * sigma);
  const int panels = 400;
  std::vector<double> cuts;
  for (int panel = 0; panel < panels; ++panel) {
    const double a0 = alpha_max * panel / panels, a1 = alpha_max * (panel + 1) / panels;
    for (int ia = 0; ia < 8; ++ia) {
      const double alpha = 0.5 * (a0 + a1) + 0.5 * (a1 - a0) * gl_x[ia];
      const double wa = 0.5 * (a1 - a0) * gl_w[ia] *
                        std::exp(-alpha * alpha / (2 * sigma * sigma)) * std::sin(alpha);
      const double sa = std::sin(alpha), ca = std::cos(alpha);
      const double A = cos_i * std::cos(2 * alpha), B = sin_i * std::sin(2 * alpha);
      cuts.assign({0.0, 2 * pi});
      const auto add_cut = [&](double cos_phi) {
        if (cos_phi > -1 && cos_phi < 1)
          cuts.push_back(std::acos(cos_phi)), cuts.push_back(2 * pi - std::acos(cos_phi));
      };
      add_cut(cos_i * ca / (sin_i * sa));  // d·n = 0
      for (int k = 1; k < bins; ++k) add_cut((A - std::cos(pi * k / bins)) / B);
      std::sort(cuts.begin(), cuts.end());
      for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        const double p0 = cuts[c], p1 = cuts[c + 1];
        if (p1 - p0 < 1e-15) continue;
        const double pm = 0.5 * (p0 + p1);
        if (dx * sa * std::cos(pm) + dz * ca >= 0) continue;  // facet faces away
        const double cos_r = std::clamp(A - B * std::cos(pm), -1.0, 1.0);
        const int bin = std::min(bins - 1, static_cast<int>(std::acos(cos_r) / pi * bins));
        const double len = p1 - p0;
        const double r_sum = integrate(p0, p1, [&](double phi) {
          const double nx = sa * std::cos(phi), ny = sa * std::sin(phi), nz = ca;
          const double cos_f = -(dx * nx + dz * nz);
          // ŝ ∝ d × n
          double sx = -dz * ny, sy = dz * nx - dx * nz, sz = dx * ny;
          const double sl = std::sqrt(sx * sx + sy * sy + sz * sz);
          sx /= sl, sy /= sl, sz /= sl;
          const double es = ex * sx + ey * sy + ez * sz;
          return reflectance(cos_f, n1, n2, es * es);
        });
        ref.reflected[bin] += wa * r_sum;
        ref.transmitted += wa * (len - r_sum);
        norm_total += wa * len;
      }
    }
  }
  for (double& r : ref.reflected) r /= norm_total;
  ref.transmitted /= norm_total;
  return ref;
}

}  // namespace

TEST_CASE("UNIFIED facet tilts follow exp(-a^2/2s^2) sin a on (0, pi/2) with uniform azimuth",
          "[physics][surface][unified][host]") {
  const Vec3 d{0.0f, 0.0f, -1.0f};  // normal incidence: no facet faces away
  std::uint64_t stream = 1;
  for (const double sigma : {0.1, 0.3, 1.0}) {
    auto rng = make_rng(stream++);
    const int bins = 100;
    const double hi = std::fmin(pi / 2, 6 * sigma);
    std::vector<double> obs(bins + 1, 0.0), azimuth(samples);
    double worst = 0;
    for (int i = 0; i < samples; ++i) {
      const Vec3 n = sample_facet_normal(d, up, float(sigma), rng);
      const double alpha = std::acos(std::clamp(double(n.z), -1.0, 1.0));
      obs[alpha >= hi ? bins : std::min(bins - 1, static_cast<int>(alpha / hi * bins))] += 1;
      azimuth[i] = std::atan2(n.y, n.x);
      worst = std::fmax(worst, std::fabs(norm(n) - 1.0));
    }
    CHECK(worst < 1e-6);
    // expected per bin by Gauss–Legendre of the density, the tail beyond 6σ as one bin
    const auto density = [sigma](double a) {
      return std::exp(-a * a / (2 * sigma * sigma)) * std::sin(a);
    };
    std::vector<double> expect(bins + 1, 0.0);
    double total = 0;
    for (int b = 0; b < bins; ++b)
      total += expect[b] = integrate(hi * b / bins, hi * (b + 1) / bins, density);
    for (int k = 0; k < 64; ++k)
      total += expect[bins] +=
          integrate(hi + (pi / 2 - hi) * k / 64, hi + (pi / 2 - hi) * (k + 1) / 64, density);
    for (double& e : expect) e *= samples / total;
    if (expect[bins] < 1) obs.pop_back(), expect.pop_back();
    const ChiSquare c = chi_square(obs, expect);
    const ChiSquare a = chi_square_flat(azimuth, -pi, pi, 100);
    INFO("sigma " << sigma << ": alpha chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value
                  << "; azimuth chi2 " << a.chi2 << " p " << a.p_value);
    CHECK(c.p_value > 1e-3);
    CHECK(a.p_value > 1e-3);
  }
}

TEST_CASE("UNIFIED reflected directions match a numerical integration of the facet model",
          "[physics][surface][unified][host]") {
  const float n1 = 1.0f, n2 = 1.5f;
  std::uint64_t stream = 10;
  for (const double sigma : {0.1, 0.3}) {
    for (const double theta_deg : {30.0, 60.0}) {
      const double theta = theta_deg * pi / 180;
      const Vec3 d = incident(theta);
      const Vec3 e =
          normalize(Vec3{0.0f, -1.0f, 0.0f} + cross(Vec3{0.0f, -1.0f, 0.0f}, d));  // 45° s/p
      const int bins = 180;
      const UnifiedReference ref =
          unified_reference(std::acos(double(-d.z)), sigma, n1, n2, e, bins);
      auto rng = make_rng(stream++);
      std::vector<double> obs(bins, 0.0);
      double transmitted = 0, worst = 0;
      for (int i = 0; i < samples; ++i) {
        const DielectricOutcome o = interact_unified_facet(d, e, up, n1, n2, float(sigma), rng);
        worst = std::fmax(worst, beam_defect(o.direction, o.polarisation));
        if (!o.reflected) {
          transmitted += 1;
          continue;
        }
        const double theta_r = std::acos(std::clamp(double(o.direction.z), -1.0, 1.0));
        obs[std::min(bins - 1, static_cast<int>(theta_r / pi * bins))] += 1;
      }
      // merge neighbouring bins until each expects at least 50 photons
      std::vector<double> o_m, e_m;
      double o_acc = 0, e_acc = 0;
      for (int b = 0; b < bins; ++b) {
        o_acc += obs[b], e_acc += ref.reflected[b] * samples;
        if (e_acc >= 50) o_m.push_back(o_acc), e_m.push_back(e_acc), o_acc = e_acc = 0;
      }
      if (!e_m.empty()) o_m.back() += o_acc, e_m.back() += e_acc;
      o_m.push_back(transmitted), e_m.push_back(ref.transmitted * samples);
      const ChiSquare c = chi_square(o_m, e_m);
      INFO("sigma " << sigma << " theta " << theta_deg << ": reflected " << samples - transmitted
                    << " (expected " << (1 - ref.transmitted) * samples << "); chi2 " << c.chi2
                    << " dof " << c.dof << " p " << c.p_value << "; max beam defect " << worst);
      CHECK(c.p_value > 1e-3);
      CHECK(worst < 1e-6);
    }
  }
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
  const Vec3 d = incident(50 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  auto rng = make_rng(32);
  const float sigma = 1e-5f;
  const double r = fresnel_reflectance(d, e, up, 1.0f, 1.5f);
  const Vec3 mirror = reflect(d, up);
  int reflected = 0;
  double worst = 0;
  for (int i = 0; i < samples; ++i) {
    const DielectricOutcome o = interact_unified_facet(d, e, up, 1.0f, 1.5f, sigma, rng);
    reflected += o.reflected;
    if (o.reflected) worst = std::fmax(worst, norm(o.direction - mirror));
  }
  const double z = (reflected - samples * r) / std::sqrt(samples * r * (1 - r));
  INFO("R " << r << ", reflected " << reflected << " (z " << z << "), max angle to the mirror "
            << worst);
  CHECK(std::fabs(z) < 3.29);
  CHECK(worst < 20 * sigma);
}

TEST_CASE("Reflection types are chosen with their probabilities and go where they should",
          "[physics][surface][unified][host]") {
  const Vec3 d = incident(40 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const Vec3 facet = normalize(Vec3{0.1f, 0.2f, 1.0f});
  const ReflectionProbabilities prob{0.2f, 0.3f, 0.1f};
  auto rng = make_rng(40);
  std::vector<double> counts(4, 0.0);
  int misplaced = 0;
  double worst = 0;
  for (int i = 0; i < samples; ++i) {
    const SelectedReflection s = select_reflection(d, e, up, facet, prob, rng);
    counts[static_cast<int>(s.type)] += 1;
    worst = std::fmax(worst, beam_defect(s.beam.direction, s.beam.polarisation));
    switch (s.type) {
      case ReflectionType::spike:
        misplaced += !(s.beam.direction == reflect(d, up));
        break;
      case ReflectionType::lobe:
        misplaced += !(s.beam.direction == reflect(d, facet));
        break;
      case ReflectionType::backscatter:
        misplaced += !(s.beam.direction == -d);
        break;
      case ReflectionType::lambertian:
        misplaced += s.beam.direction.z <= 0;
        break;
    }
  }
  const ChiSquare c = chi_square_fractions(counts, {0.2, 0.3, 0.1, 0.4});
  INFO("counts spike " << counts[0] << " lobe " << counts[1] << " back " << counts[2]
                       << " lambertian " << counts[3] << ": chi2 " << c.chi2 << " dof " << c.dof
                       << " p " << c.p_value);
  CHECK(c.p_value > 1e-3);
  CHECK(misplaced == 0);
  CHECK(worst < 1e-6);
}

TEST_CASE(
    "The full UNIFIED interaction leaves every photon on the side it claims, unit and "
    "transverse",
    "[physics][surface][unified][host]") {
  std::uint64_t stream = 50;
  for (const auto& [n1, n2] : {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}}) {
    for (const double theta_deg : {0.0, 60.0, 85.0, 90.0}) {
      const Vec3 d = incident(theta_deg * pi / 180);
      const Vec3 e{0.0f, 1.0f, 0.0f};
      auto rng = make_rng(stream++);
      int wrong_side = 0, absorbed = 0, reflected = 0;
      double worst = 0;
      for (int i = 0; i < 200000; ++i) {
        const UnifiedOutcome o = interact_unified(d, e, up, n1, n2, 0.4f, {0.1f, 0.6f, 0.1f}, rng);
        worst = std::fmax(worst, beam_defect(o.direction, o.polarisation));
        absorbed += o.absorbed;
        reflected += o.reflected;
        if (!o.absorbed) wrong_side += o.reflected ? o.direction.z < 0 : o.direction.z > 0;
      }
      INFO(n1 << " -> " << n2 << " at " << theta_deg << " deg: reflected " << reflected
              << " of 200000, absorbed " << absorbed << ", max beam defect " << worst);
      CHECK(wrong_side == 0);
      CHECK(absorbed == 0);
      CHECK(worst < 1e-6);
    }
  }
  // With only lobe reflections and facets too gentle to send photons under the surface, the full
  // interaction is the single-facet model: compare reflected fractions with the integration.
  const Vec3 d = incident(30 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const UnifiedReference ref = unified_reference(std::acos(double(-d.z)), 0.1, 1.0, 1.5, e, 18);
  auto rng = make_rng(60);
  int reflected = 0;
  for (int i = 0; i < samples; ++i)
    reflected += interact_unified(d, e, up, 1.0f, 1.5f, 0.1f, {0.0f, 1.0f, 0.0f}, rng).reflected;
  const double r = 1 - ref.transmitted;
  const double z = (reflected - samples * r) / std::sqrt(samples * r * (1 - r));
  INFO("reflected " << reflected << " expected " << samples * r << " z " << z);
  CHECK(std::fabs(z) < 3.29);
}

TEST_CASE("Front paint reflects with its reflectivity, specularly or diffusely, never transmits",
          "[physics][surface][painted][host]") {
  const Vec3 d = incident(35 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  std::uint64_t stream = 70;
  for (const ReflectorFinish finish : {ReflectorFinish::polished, ReflectorFinish::ground}) {
    const Tally t = tally_fates(d, e, make_rng(stream++), [&](Rng& rng) {
      return front_painted(d, e, -up, 0.7f, finish, rng);  // the normal in either orientation
    });
    const bool polished = finish == ReflectorFinish::polished;
    const ChiSquare c =
        chi_square_fractions(t.counts, {polished ? 0.7 : 0, polished ? 0 : 0.7, 0, 0.3, 0});
    INFO((polished ? "polished" : "ground")
         << ": reflected " << t.counts[0] + t.counts[1] << " chi2 " << c.chi2 << " dof " << c.dof
         << " p " << c.p_value);
    CHECK(c.p_value > 1e-3);
    CHECK(t.misplaced == 0);
  }
}

TEST_CASE("Polished back paint: fractions follow Fresnel in, paint, Fresnel out, repeated",
          "[physics][surface][painted][host]") {
  // s (or p) light stays s (or p) through refraction and the mirror, so each internal round trip
  // is the same: P(reflected) = R1 + T1 Σ_{k<100} ρ^{k+1} R2^k T2, R2 = R(θt, n_layer → n1).
  const double n1 = 1.0, nl = 1.5, rho = 0.8;
  std::uint64_t stream = 80;
  for (const double theta_deg : {30.0, 70.0}) {
    for (const bool s_pol : {true, false}) {
      const Vec3 d = incident(theta_deg * pi / 180);
      const Vec3 e = s_pol ? Vec3{0.0f, -1.0f, 0.0f} : cross(Vec3{0.0f, -1.0f, 0.0f}, d);
      const double cos_i = -d.z;
      const double cos_t = std::sqrt(1 - (n1 / nl) * (n1 / nl) * (1 - cos_i * cos_i));
      const double r1 = reflectance(cos_i, n1, nl, s_pol ? 1 : 0), t1 = 1 - r1;
      const double r2 = reflectance(cos_t, nl, n1, s_pol ? 1 : 0), t2 = 1 - r2;
      double out = 0;
      for (int k = 0; k < max_paint_bounces; ++k)
        out += std::pow(rho, k + 1) * std::pow(r2, k) * t2;
      const double p_refl = r1 + t1 * out;
      auto rng = make_rng(stream++);
      std::vector<double> counts(5, 0.0);
      double worst = 0;
      const Vec3 mirror = reflect(d, up);
      for (int i = 0; i < samples; ++i) {
        const SurfaceOutcome o = back_painted(d, e, up, float(n1), float(nl), float(rho),
                                              ReflectorFinish::polished, rng);
        counts[static_cast<int>(o.fate)] += 1;
        if (o.fate == SurfaceFate::reflected_specular)
          worst = std::fmax(worst, norm(o.direction - mirror));
      }
      const ChiSquare c = chi_square_fractions(counts, {p_refl, 0, 0, 1 - p_refl, 0});
      INFO(theta_deg << " deg " << (s_pol ? "s" : "p") << ": reflected " << counts[0]
                     << " expected " << p_refl * samples << "; chi2 " << c.chi2 << " dof " << c.dof
                     << " p " << c.p_value << "; max |d - mirror| " << worst);
      CHECK(c.p_value > 1e-3);
      CHECK(worst < 1e-5);
    }
  }
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
  // After each paint reflection the direction is Lambertian and the polarisation random, so it
  // leaves with T̄ = ∫ (1 − R_unpolarised(θ; n_layer → n1)) 2 sin θ cos θ dθ, independently of the
  // past: P(diffuse) = T1 Σ_{k<100} ρ^{k+1} (1 − T̄)^k T̄, P(specular) = R1.
  const double n1 = 1.0, nl = 1.5, rho = 0.85;
  double t_bar = 0;
  for (int k = 0; k < 2000; ++k) {
    t_bar += integrate(pi / 2 * k / 2000, pi / 2 * (k + 1) / 2000, [&](double th) {
      return (1 - reflectance(std::cos(th), nl, n1, 0.5)) * 2 * std::sin(th) * std::cos(th);
    });
  }
  const Vec3 d = incident(45 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const double r1 = reflectance(-d.z, n1, nl, 1), t1 = 1 - r1;
  double out = 0;
  for (int k = 0; k < max_paint_bounces; ++k)
    out += std::pow(rho, k + 1) * std::pow(1 - t_bar, k) * t_bar;
  auto rng = make_rng(91);
  std::vector<double> counts(5, 0.0);
  int wrong_side = 0;
  for (int i = 0; i < samples; ++i) {
    const SurfaceOutcome o =
        back_painted(d, e, up, float(n1), float(nl), float(rho), ReflectorFinish::ground, rng);
    counts[static_cast<int>(o.fate)] += 1;
    if (o.fate != SurfaceFate::absorbed) wrong_side += o.direction.z <= 0;
  }
  const ChiSquare c = chi_square_fractions(counts, {r1, t1 * out, 0, 1 - r1 - t1 * out, 0});
  INFO("T_bar " << t_bar << "; specular " << counts[0] << " diffuse " << counts[1] << " absorbed "
                << counts[3] << "; expected " << r1 * samples << " " << t1 * out * samples
                << "; chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value);
  CHECK(c.p_value > 1e-3);
  CHECK(wrong_side == 0);
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
  const Vec3 d = incident(25 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  std::uint64_t stream = 100;
  for (const ReflectorFinish finish : {ReflectorFinish::polished, ReflectorFinish::ground}) {
    const Tally t = tally_fates(d, e, make_rng(stream++), [&](Rng& rng) {
      return dielectric_metal(d, e, up, 0.6f, 0.3f, finish, rng);
    });
    const bool polished = finish == ReflectorFinish::polished;
    const ChiSquare c =
        chi_square_fractions(t.counts, {polished ? 0.6 : 0, polished ? 0 : 0.6, 0, 0.28, 0.12});
    INFO((polished ? "polished" : "ground")
         << ": chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value);
    CHECK(c.p_value > 1e-3);
    CHECK(t.misplaced == 0);
  }
}

TEST_CASE(
    "A metal of complex index reflects e_s^2 R_s + e_p^2 R_p and detects (1 - R) x efficiency",
    "[physics][surface][metal][host]") {
  std::uint64_t stream = 110;
  const double eff = 0.25;
  for (const auto& [n1, theta_deg] : {std::pair{1.0, 30.0}, std::pair{1.33, 70.0}}) {
    const std::complex<double> n2{2.0, 3.0};
    const Vec3 d = incident(theta_deg * pi / 180);
    const Vec3 s{0.0f, -1.0f, 0.0f}, p = cross(s, d);
    const char* names[] = {"s", "p", "45 deg"};
    const Vec3 pols[] = {s, p, normalize(s + p)};
    // Born & Wolf §14.2 with std::complex
    const double ci = -d.z, si = std::sqrt(1 - ci * ci);
    const std::complex<double> ct = std::sqrt(1.0 - (n1 * si / n2) * (n1 * si / n2));
    const double rs = std::norm((n1 * ci - n2 * ct) / (n1 * ci + n2 * ct));
    const double rp = std::norm((n2 * ci - n1 * ct) / (n2 * ci + n1 * ct));
    for (int j = 0; j < 3; ++j) {
      const double r = j == 0 ? rs : j == 1 ? rp : 0.5 * (rs + rp);
      double worst = 0, s_kept = 1;
      const Tally t = tally_fates(d, pols[j], make_rng(stream++), [&](Rng& rng) {
        const SurfaceOutcome o =
            dielectric_metal_complex(d, pols[j], up, float(n1), 2.0f, 3.0f, float(eff), rng);
        if (o.fate == SurfaceFate::reflected_specular) {
          worst = std::fmax(worst, beam_defect(o.direction, o.polarisation));
          if (j == 0) s_kept = std::fmin(s_kept, -dot(o.polarisation, s));  // s stays s (as −ŝ)
        }
        return o;
      });
      const ChiSquare c =
          chi_square_fractions(t.counts, {r, 0, 0, (1 - r) * (1 - eff), (1 - r) * eff});
      INFO("n1 " << n1 << " at " << theta_deg << " deg, " << names[j] << ": R " << r
                 << ", reflected " << t.counts[0] << "; chi2 " << c.chi2 << " dof " << c.dof
                 << " p " << c.p_value);
      CHECK(c.p_value > 1e-3);
      CHECK(t.misplaced == 0);
      CHECK(worst < 1e-6);
      CHECK(s_kept > 1 - 1e-6);
    }
  }
}

TEST_CASE("A dichroic filter reflects with R, passes straight through with T, absorbs the rest",
          "[physics][surface][dichroic][host]") {
  const Vec3 d = incident(20 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  std::uint64_t stream = 120;
  for (const auto& [r, t] : {std::pair{0.3f, 0.5f}, std::pair{0.7f, 0.6f}}) {
    int repolarised = 0;
    const Tally tally = tally_fates(d, e, make_rng(stream++), [&](Rng& rng) {
      const SurfaceOutcome o = dichroic(d, e, up, r, t, rng);
      if (o.fate == SurfaceFate::reflected_specular)
        repolarised += !(o.polarisation == specular_reflection(d, e, up).polarisation);
      return o;
    });
    const double pt = std::fmin(double(t), 1.0 - r);  // R + T > 1 reads as T = 1 − R
    const ChiSquare c = chi_square_fractions(tally.counts, {r, 0, pt, 1 - r - pt, 0});
    INFO("R " << r << " T " << t << ": chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value);
    CHECK(c.p_value > 1e-3);
    CHECK(tally.misplaced == 0);
    CHECK(repolarised == 0);
  }
}
