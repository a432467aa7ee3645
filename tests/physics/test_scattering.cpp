// SPDX-License-Identifier: BSD-3-Clause
// Scattering and elementary reflections against their analytic distributions (1e6 draws each,
// chi-square or KS with p > 1e-3): Rayleigh's 1 + cos²θ, sin²ψ and per-angle polarisation,
// Henyey–Greenstein's density and mean cosine, Lambert's cosine law, the exact mirror.
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/physics/scattering.hpp"
#include "support/stats.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace chroma2;
using namespace chroma2::test;

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr std::uint64_t scatter_seed = 0x5ca7'7e12'2026'0002ull;
constexpr int samples = 1000000;
using Rng = PhotonRng<Philox4x32Policy>;
Rng make_rng(std::uint64_t stream) { return Rng({}, RngKey{scatter_seed, stream, 5}, 0); }

// Histogram of x in [lo, hi] against N·(F(b) − F(a)) per bin.
template <class Cdf>
ChiSquare chi_square_cdf(const std::vector<double>& x, double lo, double hi, int bins, Cdf cdf) {
  std::vector<double> obs(bins, 0.0), expect(bins);
  for (const double v : x)
    obs[std::clamp(static_cast<int>((v - lo) / (hi - lo) * bins), 0, bins - 1)] += 1;
  for (int b = 0; b < bins; ++b) {
    const double a = lo + (hi - lo) * b / bins, c = lo + (hi - lo) * (b + 1) / bins;
    expect[b] = static_cast<double>(x.size()) * (cdf(c) - cdf(a));
  }
  return chi_square(obs, expect);
}

// Asymptotic Kolmogorov p-value of a KS distance D over n samples (Stephens' correction).
double ks_p_value(double d, std::size_t n) {
  const double sn = std::sqrt(static_cast<double>(n));
  const double lambda = (sn + 0.12 + 0.11 / sn) * d;
  double p = 0;
  for (int k = 1; k <= 100; ++k)
    p += 2 * ((k % 2) ? 1 : -1) * std::exp(-2.0 * k * k * lambda * lambda);
  return std::clamp(p, 0.0, 1.0);
}

// Largest deviation from a unit, transverse, finite (direction, polarisation) pair.
double beam_defect(const Beam& b) {
  const double s = b.direction.x + b.direction.y + b.direction.z + b.polarisation.x +
                   b.polarisation.y + b.polarisation.z;
  if (!std::isfinite(s)) return 1e30;
  return std::fmax(
      std::fmax(std::fabs(norm(b.direction) - 1.0), std::fabs(norm(b.polarisation) - 1.0)),
      std::fabs(dot(b.direction, b.polarisation)));
}

// Azimuth of v about the unit axis a, in a frame built independently of the code under test.
double azimuth_about(Vec3 v, Vec3 a) {
  const Vec3 ref = std::fabs(a.x) < 0.9f ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
  const Vec3 e1 = normalize(cross(a, ref));
  const Vec3 e2 = cross(a, e1);
  return std::atan2(dot(v, e2), dot(v, e1));
}

// Distance from the unit polarisation to E projected transverse to d (computed in double), or 0
// where the projection is short: its direction then moves by (rounding of d)/length.
double distance_to_projection(Vec3 e, Vec3 d, Vec3 pol) {
  const double ed = double(e.x) * d.x + double(e.y) * d.y + double(e.z) * d.z;
  const double px = e.x - ed * d.x, py = e.y - ed * d.y, pz = e.z - ed * d.z;
  const double len = std::sqrt(px * px + py * py + pz * pz);
  if (len < 0.05) return 0;
  return std::sqrt(std::pow(px / len - pol.x, 2) + std::pow(py / len - pol.y, 2) +
                   std::pow(pz / len - pol.z, 2));
}

// Replays a fixed list of uniforms (cycling): drives a sampler to its edge cases.
struct ScriptedRng {
  const float* values;
  int count;
  int next = 0;
  float uniform() { return values[next++ % count]; }
};
constexpr float smallest_u = 1.0f / 16777216.0f;

const Vec3 oblique = normalize(Vec3{0.3f, -0.5f, 0.8f});

}  // namespace

TEST_CASE("Rayleigh scattering of unpolarised light follows 1 + cos^2 theta (chi-square)",
          "[physics][scattering][rayleigh][host]") {
  auto rng = make_rng(1);
  std::vector<double> mu(samples);
  double worst = 0;
  for (double& m : mu) {
    const Vec3 e = rng.perpendicular_to(oblique);  // unpolarised: random transverse E
    const Beam b = sample_rayleigh(oblique, e, rng);
    worst = std::fmax(worst, beam_defect(b));
    m = dot(b.direction, oblique);
  }
  const ChiSquare c =
      chi_square_cdf(mu, -1, 1, 100, [](double x) { return (3 * x + x * x * x + 4) / 8; });
  INFO("chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value << "; max beam defect "
               << worst);
  CHECK(c.p_value > 1e-3);
  CHECK(worst < 1e-6);
}

TEST_CASE("Rayleigh scattering of polarised light follows sin^2 psi about the polarisation",
          "[physics][scattering][rayleigh][host]") {
  auto rng = make_rng(2);
  const Vec3 e = normalize(cross(oblique, Vec3{0, 0, 1}));
  std::vector<double> cos_psi(samples), azimuth(samples);
  for (int i = 0; i < samples; ++i) {
    const Beam b = sample_rayleigh(oblique, e, rng);
    cos_psi[i] = dot(b.direction, e);
    azimuth[i] = azimuth_about(b.direction, e);
  }
  const ChiSquare c =
      chi_square_cdf(cos_psi, -1, 1, 100, [](double x) { return (2 + 3 * x - x * x * x) / 4; });
  const ChiSquare a = chi_square_flat(azimuth, -pi, pi, 100);
  INFO("cos psi: chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value
                        << "; azimuth about E: chi2 " << a.chi2 << " dof " << a.dof << " p "
                        << a.p_value);
  CHECK(c.p_value > 1e-3);
  CHECK(a.p_value > 1e-3);
}

TEST_CASE("Rayleigh-scattered unpolarised light has <(e'.n)^2> = 1/(1 + cos^2 theta) per angle bin",
          "[physics][scattering][rayleigh][host]") {
  // n̂: normal of the scattering plane. Photons scatter with density ∝ 1 + x² (x = cos θ), so
  // the average over a bin [a, b] is (b − a) / ∫(1 + x²)dx.
  auto rng = make_rng(3);
  const int bins = 20;
  std::vector<double> sum(bins, 0), sum2(bins, 0), count(bins, 0);
  for (int i = 0; i < samples; ++i) {
    const Beam b = sample_rayleigh(oblique, rng.perpendicular_to(oblique), rng);
    const Vec3 nc = cross(oblique, b.direction);
    if (dot(nc, nc) < 1e-10f) continue;  // forward/backward: no plane
    const double f = std::pow(dot(b.polarisation, normalize(nc)), 2);
    const double x = dot(oblique, b.direction);
    const int k = std::clamp(static_cast<int>((x + 1) / 2 * bins), 0, bins - 1);
    sum[k] += f, sum2[k] += f * f, count[k] += 1;
  }
  double chi2 = 0, worst_z = 0;
  for (int k = 0; k < bins; ++k) {
    const double a = -1 + 2.0 * k / bins, c = -1 + 2.0 * (k + 1) / bins;
    const double want = (c - a) / ((c - a) + (c * c * c - a * a * a) / 3);
    const double mean = sum[k] / count[k];
    const double var = (sum2[k] / count[k] - mean * mean) / count[k];
    const double z = (mean - want) / std::sqrt(var);
    chi2 += z * z, worst_z = std::fmax(worst_z, std::fabs(z));
  }
  const double p = gamma_q(bins / 2.0, chi2 / 2.0);
  INFO("sum of z^2 " << chi2 << " over " << bins << " bins, p " << p << ", max |z| " << worst_z);
  CHECK(p > 1e-3);
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
  // and the projection rule away from the edge: E′ ∝ E − (E·d′)d′ with E·E′ ≥ 0
  auto rng = make_rng(4);
  double worst = 0;
  for (int i = 0; i < samples; ++i) {
    const Beam b = sample_rayleigh(oblique, e, rng);
    worst = std::fmax(worst, beam_defect(b));
    worst = std::fmax(worst, distance_to_projection(e, b.direction, b.polarisation));
  }
  INFO("max defect or distance to the projected polarisation " << worst);
  CHECK(worst < 1e-5);
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
  std::uint64_t stream = 10;
  for (const double g : {0.9, 0.5, 0.0, -0.3}) {
    auto rng = make_rng(stream++);
    const Vec3 e = normalize(cross(oblique, Vec3{1, 0, 0}));
    std::vector<double> mu(samples), azimuth(samples);
    double sum = 0, sum2 = 0, worst = 0;
    for (int i = 0; i < samples; ++i) {
      const Beam b = sample_henyey_greenstein(oblique, e, float(g), rng);
      worst = std::fmax(worst, beam_defect(b));
      mu[i] = dot(b.direction, oblique);
      azimuth[i] = azimuth_about(b.direction, oblique);
      sum += mu[i], sum2 += mu[i] * mu[i];
    }
    const double mean = sum / samples;
    const double z = (mean - g) / std::sqrt((sum2 / samples - mean * mean) / samples);
    const auto cdf = [g](double x) {
      if (g == 0) return (x + 1) / 2;
      return (1 - g * g) / (2 * g) * (1 / std::sqrt(1 + g * g - 2 * g * x) - 1 / (1 + g));
    };
    const ChiSquare c = chi_square_cdf(mu, -1, 1, 100, cdf);
    const ChiSquare a = chi_square_flat(azimuth, -pi, pi, 100);
    INFO("g " << g << ": mean cos " << mean << " (z " << z << "); chi2 " << c.chi2 << " dof "
              << c.dof << " p " << c.p_value << "; azimuth chi2 " << a.chi2 << " p " << a.p_value
              << "; max beam defect " << worst);
    CHECK(std::fabs(z) < 3.29);
    CHECK(c.p_value > 1e-3);
    CHECK(a.p_value > 1e-3);
    CHECK(worst < 1e-6);
  }
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
  auto rng = make_rng(30);
  const Vec3 normal = normalize(Vec3{0.2f, 0.1f, 1.0f});
  const Vec3 d = normalize(Vec3{0.5f, 0.0f, -1.0f});  // arrives against the normal
  std::vector<double> sin2(samples), azimuth(samples);
  double worst = 0;
  int wrong_side = 0;
  for (int i = 0; i < samples; ++i) {
    // either orientation of the normal: the photon comes back to its own side
    const Beam b = sample_lambertian(d, i % 2 ? normal : -normal, rng);
    worst = std::fmax(worst, beam_defect(b));
    const double c = dot(b.direction, normal);
    wrong_side += c <= 0;
    sin2[i] = 1 - c * c;
    azimuth[i] = azimuth_about(b.direction, normal);
  }
  const double ks = ks_statistic(sin2, [](double x) { return x; });
  const ChiSquare a = chi_square_flat(azimuth, -pi, pi, 100);
  INFO("KS D " << ks << " p " << ks_p_value(ks, sin2.size()) << "; azimuth chi2 " << a.chi2 << " p "
               << a.p_value << "; max beam defect " << worst);
  CHECK(wrong_side == 0);
  CHECK(ks_p_value(ks, sin2.size()) > 1e-3);
  CHECK(a.p_value > 1e-3);
  CHECK(worst < 1e-6);
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
