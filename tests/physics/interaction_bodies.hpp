// SPDX-License-Identifier: BSD-3-Clause
// The statistical tests of the optical interactions (Fresnel, scattering, UNIFIED, reflectors),
// one body each, templated on an executor that draws the samples: HostExecutor here (a loop),
// DeviceExecutor in gpu_interactions.cu (a kernel). Each sample is one CHROMA2_HD lambda call;
// all counting and statistics happen on the host, on the samples the executor brings back.
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/physics/fresnel.hpp"
#include "chroma2/physics/scattering.hpp"
#include "chroma2/physics/surface_models.hpp"
#include "chroma2/physics/unified.hpp"
#include "support/stats.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace chroma2::test::interaction {

inline constexpr double pi = 3.14159265358979323846;
inline constexpr int samples = 1000000;
inline constexpr float smallest_u = 1.0f / 16777216.0f;
// Captured by value in the sampling lambdas: a namespace-scope object is not visible on the device.
inline constexpr Vec3 up{0.0f, 0.0f, 1.0f};
using Rng = PhotonRng<Philox4x32Policy>;

// The run seeds of the three test files; each test names its stream(s) and event id.
inline constexpr std::uint64_t fresnel_seed = 0xf2e5'4e1e'2026'0001ull;
inline constexpr std::uint64_t scatter_seed = 0x5ca7'7e12'2026'0002ull;
inline constexpr std::uint64_t surface_seed = 0x5a1f'ace5'2026'0003ull;

// Where a test's samples draw their random numbers. The host draws sample after sample from one
// stream (seed, stream, event), the stream these tests have always used, so their numbers do not
// move. Samples drawn in parallel need one stream each: sample i gets the same key with i + 1 in
// the high half of the photon id (test streams stay below 2³², so no two keys meet).
struct SampleStreams {
  std::uint64_t seed;
  std::uint64_t stream;
  std::uint32_t event;
  CHROMA2_HD Rng shared() const { return Rng({}, RngKey{seed, stream, event}, 0); }
  CHROMA2_HD Rng of_sample(std::uint64_t i) const {
    return Rng({}, RngKey{seed, stream | ((i + 1) << 32), event}, 0);
  }
};
inline SampleStreams fresnel_streams(std::uint64_t stream) { return {fresnel_seed, stream, 11}; }
inline SampleStreams scatter_streams(std::uint64_t stream) { return {scatter_seed, stream, 5}; }
inline SampleStreams surface_streams(std::uint64_t stream) { return {surface_seed, stream, 17}; }

// What a sampling lambda f(i, rng) returns: one trivially copyable record per sample.
template <class F>
using SampleOf = std::remove_cvref_t<std::invoke_result_t<F&, std::uint64_t, Rng&>>;
template <class F>
constexpr bool valid_sampler =
    std::is_trivially_copyable_v<SampleOf<F>> && !std::is_same_v<SampleOf<F>, bool>;

// Samples 0..n-1 in a loop. stream_per_sample draws each from its own stream, as the device does
// (to check that scheme without a GPU); the tests use the shared stream.
struct HostExecutor {
  bool stream_per_sample = false;
  template <class F>
  std::vector<SampleOf<F>> operator()(std::size_t n, SampleStreams streams, F f) const {
    static_assert(valid_sampler<F>, "return a trivially copyable record (std::uint8_t, not bool)");
    std::vector<SampleOf<F>> out(n);
    Rng shared = streams.shared();
    for (std::uint64_t i = 0; i < n; ++i) {
      if (stream_per_sample) {
        Rng own = streams.of_sample(i);
        out[i] = f(i, own);
      } else {
        out[i] = f(i, shared);
      }
    }
    return out;
  }
};

// ---- Reference formulas and helpers (double precision, independent of the code under test) ----

// A photon in the x–z plane hitting the surface z = 0 from above at angle theta.
inline Vec3 incident(double theta) {
  return {static_cast<float>(std::sin(theta)), 0.0f, static_cast<float>(-std::cos(theta))};
}

// Hecht, Optics, §4.6.2: R_s = sin²(θi − θt)/sin²(θi + θt), R_p = tan²(θi − θt)/tan²(θi + θt),
// and ((n1 − n2)/(n1 + n2))² at normal incidence, where both forms are 0/0.
struct TextbookR {
  double s, p;
  bool tir;
};
inline TextbookR textbook_reflectance(double theta_i, double n1, double n2) {
  const double sin_t = n1 / n2 * std::sin(theta_i);
  if (sin_t >= 1.0) return {1.0, 1.0, true};
  if (theta_i == 0.0) {
    const double r = (n1 - n2) / (n1 + n2);
    return {r * r, r * r, false};
  }
  const double theta_t = std::asin(sin_t);
  const double rs = std::sin(theta_i - theta_t) / std::sin(theta_i + theta_t);
  const double rp = std::tan(theta_i - theta_t) / std::tan(theta_i + theta_t);
  return {rs * rs, rp * rp, false};
}

// Dielectric reflectance in double from Born & Wolf's amplitudes (cos forms); e_s2 = E_s².
inline double reflectance(double cos_i, double n1, double n2, double e_s2) {
  const double s2 = (n1 / n2) * (n1 / n2) * (1 - cos_i * cos_i);
  if (s2 >= 1) return 1;
  const double ct = std::sqrt(1 - s2);
  const double rs = (n1 * cos_i - n2 * ct) / (n1 * cos_i + n2 * ct);
  const double rp = (n2 * cos_i - n1 * ct) / (n2 * cos_i + n1 * ct);
  return e_s2 * rs * rs + (1 - e_s2) * rp * rp;
}

// Largest deviation from a unit, transverse, finite (direction, polarisation) pair.
inline double beam_defect(Vec3 d, Vec3 e) {
  if (!std::isfinite(d.x + d.y + d.z + e.x + e.y + e.z)) return 1e30;
  return std::fmax(std::fmax(std::fabs(norm(d) - 1.0), std::fabs(norm(e) - 1.0)),
                   std::fabs(dot(d, e)));
}
inline double beam_defect(const Beam& b) { return beam_defect(b.direction, b.polarisation); }

// Azimuth of v about the unit axis a, in a frame built independently of the code under test.
inline double azimuth_about(Vec3 v, Vec3 a) {
  const Vec3 ref = std::fabs(a.x) < 0.9f ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
  const Vec3 e1 = normalize(cross(a, ref));
  const Vec3 e2 = cross(a, e1);
  return std::atan2(dot(v, e2), dot(v, e1));
}

// Distance from the unit polarisation to E projected transverse to d (computed in double), or 0
// where the projection is short: its direction then moves by (rounding of d)/length.
inline double distance_to_projection(Vec3 e, Vec3 d, Vec3 pol) {
  const double ed = double(e.x) * d.x + double(e.y) * d.y + double(e.z) * d.z;
  const double px = e.x - ed * d.x, py = e.y - ed * d.y, pz = e.z - ed * d.z;
  const double len = std::sqrt(px * px + py * py + pz * pz);
  if (len < 0.05) return 0;
  return std::sqrt(std::pow(px / len - pol.x, 2) + std::pow(py / len - pol.y, 2) +
                   std::pow(pz / len - pol.z, 2));
}

// Two-sided binomial z of k successes in n against probability r.
inline double binomial_z(double k, double n, double r) {
  const double sigma = std::sqrt(n * r * (1 - r));
  return sigma > 0 ? (k - n * r) / sigma : k - n * r;
}

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
inline double ks_p_value(double d, std::size_t n) {
  const double sn = std::sqrt(static_cast<double>(n));
  const double lambda = (sn + 0.12 + 0.11 / sn) * d;
  double p = 0;
  for (int k = 1; k <= 100; ++k)
    p += 2 * ((k % 2) ? 1 : -1) * std::exp(-2.0 * k * k * lambda * lambda);
  return std::clamp(p, 0.0, 1.0);
}

// Gauss–Legendre nodes and weights on [-1, 1], 8 points.
inline constexpr double gl_x[8] = {-0.9602898564975363, -0.7966664774136267, -0.5255324099163290,
                                   -0.1834346424956498, 0.1834346424956498,  0.5255324099163290,
                                   0.7966664774136267,  0.9602898564975363};
inline constexpr double gl_w[8] = {0.1012285362903763, 0.2223810344533745, 0.3137066458778873,
                                   0.3626837833783620, 0.3626837833783620, 0.3137066458778873,
                                   0.2223810344533745, 0.1012285362903763};
template <class F>
double integrate(double a, double b, F f) {
  double s = 0;
  for (int i = 0; i < 8; ++i) s += gl_w[i] * f(0.5 * (a + b) + 0.5 * (b - a) * gl_x[i]);
  return 0.5 * (b - a) * s;
}

// Counts per category against probabilities (which sum to 1).
inline ChiSquare chi_square_fractions(const std::vector<double>& counts,
                                      const std::vector<double>& prob) {
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

// Fates of photons (direction d, polarisation e, on the surface z = 0), and how many went where
// their fate forbids: a specular reflection off the mirror direction, a diffuse one into the
// surface, an unreflected one moved or repolarised.
struct Tally {
  std::vector<double> counts;
  int misplaced;
};
inline Tally tally_fates(const std::vector<SurfaceOutcome>& outcomes, Vec3 d, Vec3 e) {
  Tally t{std::vector<double>(5, 0.0), 0};
  const Vec3 mirror = reflect(d, up);
  for (const SurfaceOutcome& o : outcomes) {
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

inline UnifiedReference unified_reference(double theta_i, double sigma, double n1, double n2,
                                          Vec3 e_f, int bins) {
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

// ================================ Fresnel (fresnel.hpp) ================================

template <class Exec>
void check_fresnel_reflected_fractions(const Exec& exec) {
  struct Case {
    float n1, n2;
    double theta_deg;
  };
  const Case cases[] = {{1.0f, 1.5f, 0.0},  {1.0f, 1.5f, 30.0}, {1.0f, 1.5f, 56.31},
                        {1.0f, 1.5f, 80.0}, {1.5f, 1.0f, 20.0}, {1.5f, 1.0f, 40.0}};
  const char* pol_names[] = {"s", "p", "45 deg"};
  std::uint64_t stream = 100;
  for (const Case& k : cases) {
    const Vec3 d = incident(k.theta_deg * pi / 180.0);
    const Vec3 e_s{0.0f, -1.0f, 0.0f};
    const Vec3 e_p = cross(e_s, d);
    const Vec3 pols[] = {e_s, e_p, normalize(e_s + e_p)};
    for (int j = 0; j < 3; ++j) {
      const TextbookR want = textbook_reflectance(std::acos(double(-d.z)), k.n1, k.n2);
      const double r = j == 0 ? want.s : j == 1 ? want.p : 0.5 * (want.s + want.p);
      const Vec3 e = pols[j], normal = up;
      const float n1 = k.n1, n2 = k.n2;
      const int n = samples;
      const auto flags =
          exec(n, fresnel_streams(stream++), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
            return std::uint8_t{interact_dielectric(d, e, normal, n1, n2, rng).reflected};
          });
      int reflected = 0;
      for (const std::uint8_t f : flags) reflected += f;
      const double z = binomial_z(reflected, n, r);
      INFO(k.n1 << " -> " << k.n2 << " at " << k.theta_deg << " deg, " << pol_names[j] << ": R "
                << r << ", reflected " << reflected << " of " << n << ", z = " << z);
      CHECK(std::fabs(z) < 3.29);  // two-sided p > 1e-3
    }
  }
}

// One random boundary crossing, reduced to what the test asserts.
struct BoundaryCheck {
  float norm_direction, norm_polarisation, transverse;  // |‖d‖−1|, |‖E‖−1|, |d·E|
  double snell;                                         // |n1 sin i − n2 sin t|, refracted only
  std::uint8_t non_finite, wrong_side;
};

template <class Exec>
void check_random_boundaries(const Exec& exec) {
  const auto checks = exec(samples, fresnel_streams(9), [] CHROMA2_HD(std::uint64_t, Rng & rng) {
    const Vec3 d = rng.isotropic();
    const Vec3 e = rng.perpendicular_to(d);
    const Vec3 normal = rng.isotropic();
    const float n1 = 1.0f + 1.5f * rng.uniform(), n2 = 1.0f + 1.5f * rng.uniform();
    const DielectricOutcome o = interact_dielectric(d, e, normal, n1, n2, rng);
    const float sum = o.direction.x + o.direction.y + o.direction.z + o.polarisation.x +
                      o.polarisation.y + o.polarisation.z;
    BoundaryCheck c{std::fabs(norm(o.direction) - 1.0f),
                    std::fabs(norm(o.polarisation) - 1.0f),
                    std::fabs(dot(o.direction, o.polarisation)),
                    0.0,
                    !std::isfinite(sum),
                    0};
    const float side_in = dot(d, normal), side_out = dot(o.direction, normal);
    c.wrong_side = o.reflected ? side_in * side_out > 0 : side_in * side_out < 0;
    if (!o.reflected) {
      const double sin_i = norm(cross(d, normal)), sin_t = norm(cross(o.direction, normal));
      c.snell = std::fabs(n1 * sin_i - n2 * sin_t);
    }
    return c;
  });
  double worst_norm = 0, worst_dot = 0, worst_snell = 0;
  int wrong_side = 0, non_finite = 0;
  for (const BoundaryCheck& c : checks) {
    non_finite += c.non_finite;
    worst_norm = std::fmax(worst_norm, c.norm_direction);
    worst_norm = std::fmax(worst_norm, c.norm_polarisation);
    worst_dot = std::fmax(worst_dot, c.transverse);
    wrong_side += c.wrong_side;
    worst_snell = std::fmax(worst_snell, c.snell);
  }
  INFO("max |norm-1| " << worst_norm << ", max |d.E| " << worst_dot << ", max Snell residual "
                       << worst_snell);
  CHECK(non_finite == 0);
  CHECK(wrong_side == 0);
  CHECK(worst_norm < 1e-6);
  CHECK(worst_dot < 1e-6);
  CHECK(worst_snell < 1e-5);
}

// ============================== Scattering (scattering.hpp) ==============================

inline const Vec3 oblique = normalize(Vec3{0.3f, -0.5f, 0.8f});

template <class Exec>
void check_rayleigh_unpolarised(const Exec& exec) {
  const Vec3 d = oblique;
  const auto beams = exec(samples, scatter_streams(1), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
    const Vec3 e = rng.perpendicular_to(d);  // unpolarised: random transverse E
    return sample_rayleigh(d, e, rng);
  });
  std::vector<double> mu(samples);
  double worst = 0;
  for (int i = 0; i < samples; ++i) {
    worst = std::fmax(worst, beam_defect(beams[i]));
    mu[i] = dot(beams[i].direction, d);
  }
  const ChiSquare c =
      chi_square_cdf(mu, -1, 1, 100, [](double x) { return (3 * x + x * x * x + 4) / 8; });
  INFO("chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value << "; max beam defect "
               << worst);
  CHECK(c.p_value > 1e-3);
  CHECK(worst < 1e-6);
}

// Rayleigh scattering of photons along `oblique` with the polarisation e.
template <class Exec>
std::vector<Beam> rayleigh_polarised(const Exec& exec, std::uint64_t stream, Vec3 e) {
  const Vec3 d = oblique;
  return exec(samples, scatter_streams(stream),
              [=] CHROMA2_HD(std::uint64_t, Rng & rng) { return sample_rayleigh(d, e, rng); });
}

template <class Exec>
void check_rayleigh_polarised(const Exec& exec) {
  const Vec3 e = normalize(cross(oblique, Vec3{0, 0, 1}));
  const std::vector<Beam> beams = rayleigh_polarised(exec, 2, e);
  std::vector<double> cos_psi(samples), azimuth(samples);
  for (int i = 0; i < samples; ++i) {
    cos_psi[i] = dot(beams[i].direction, e);
    azimuth[i] = azimuth_about(beams[i].direction, e);
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

template <class Exec>
void check_rayleigh_plane_polarisation(const Exec& exec) {
  // n̂: normal of the scattering plane. Photons scatter with density ∝ 1 + x² (x = cos θ), so
  // the average over a bin [a, b] is (b − a) / ∫(1 + x²)dx.
  const Vec3 d = oblique;
  const auto beams = exec(samples, scatter_streams(3), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
    return sample_rayleigh(d, rng.perpendicular_to(d), rng);
  });
  const int bins = 20;
  std::vector<double> sum(bins, 0), sum2(bins, 0), count(bins, 0);
  for (const Beam& b : beams) {
    const Vec3 nc = cross(d, b.direction);
    if (dot(nc, nc) < 1e-10f) continue;  // forward/backward: no plane
    const double f = std::pow(dot(b.polarisation, normalize(nc)), 2);
    const double x = dot(d, b.direction);
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

// Away from the edge the new polarisation is the projection rule: E′ ∝ E − (E·d′)d′, E·E′ ≥ 0.
template <class Exec>
void check_rayleigh_projection(const Exec& exec) {
  const Vec3 e = normalize(cross(oblique, Vec3{0, 1, 0}));
  const std::vector<Beam> beams = rayleigh_polarised(exec, 4, e);
  double worst = 0;
  for (const Beam& b : beams) {
    worst = std::fmax(worst, beam_defect(b));
    worst = std::fmax(worst, distance_to_projection(e, b.direction, b.polarisation));
  }
  INFO("max defect or distance to the projected polarisation " << worst);
  CHECK(worst < 1e-5);
}

template <class Exec>
void check_henyey_greenstein(const Exec& exec) {
  std::uint64_t stream = 10;
  for (const double g : {0.9, 0.5, 0.0, -0.3}) {
    const Vec3 d = oblique;
    const Vec3 e = normalize(cross(oblique, Vec3{1, 0, 0}));
    const float gf = float(g);
    const auto beams =
        exec(samples, scatter_streams(stream++), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
          return sample_henyey_greenstein(d, e, gf, rng);
        });
    std::vector<double> mu(samples), azimuth(samples);
    double sum = 0, sum2 = 0, worst = 0;
    for (int i = 0; i < samples; ++i) {
      const Beam& b = beams[i];
      worst = std::fmax(worst, beam_defect(b));
      mu[i] = dot(b.direction, d);
      azimuth[i] = azimuth_about(b.direction, d);
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

template <class Exec>
void check_lambertian(const Exec& exec) {
  const Vec3 normal = normalize(Vec3{0.2f, 0.1f, 1.0f});
  const Vec3 d = normalize(Vec3{0.5f, 0.0f, -1.0f});  // arrives against the normal
  const auto beams = exec(samples, scatter_streams(30), [=] CHROMA2_HD(std::uint64_t i, Rng & rng) {
    // either orientation of the normal: the photon comes back to its own side
    return sample_lambertian(d, i % 2 ? normal : -normal, rng);
  });
  std::vector<double> sin2(samples), azimuth(samples);
  double worst = 0;
  int wrong_side = 0;
  for (int i = 0; i < samples; ++i) {
    const Beam& b = beams[i];
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

// ====================== UNIFIED and reflectors (unified.hpp, surface_models.hpp)
// ======================

template <class Exec>
void check_facet_tilts(const Exec& exec) {
  const Vec3 d{0.0f, 0.0f, -1.0f};  // normal incidence: no facet faces away
  const Vec3 normal = up;
  std::uint64_t stream = 1;
  for (const double sigma : {0.1, 0.3, 1.0}) {
    const float sigma_f = float(sigma);
    const auto facets =
        exec(samples, surface_streams(stream++), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
          return sample_facet_normal(d, normal, sigma_f, rng);
        });
    const int bins = 100;
    const double hi = std::fmin(pi / 2, 6 * sigma);
    std::vector<double> obs(bins + 1, 0.0), azimuth(samples);
    double worst = 0;
    for (int i = 0; i < samples; ++i) {
      const Vec3 n = facets[i];
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

template <class Exec>
void check_unified_directions(const Exec& exec) {
  const float n1 = 1.0f, n2 = 1.5f;
  const Vec3 normal = up;
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
      const float sigma_f = float(sigma);
      const auto outcomes =
          exec(samples, surface_streams(stream++), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
            return interact_unified_facet(d, e, normal, n1, n2, sigma_f, rng);
          });
      std::vector<double> obs(bins, 0.0);
      double transmitted = 0, worst = 0;
      for (const DielectricOutcome& o : outcomes) {
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

template <class Exec>
void check_unified_tiny_sigma(const Exec& exec) {
  const Vec3 d = incident(50 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const Vec3 normal = up;
  const float sigma = 1e-5f;
  const auto outcomes =
      exec(samples, surface_streams(32), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
        return interact_unified_facet(d, e, normal, 1.0f, 1.5f, sigma, rng);
      });
  const double r = fresnel_reflectance(d, e, up, 1.0f, 1.5f);
  const Vec3 mirror = reflect(d, up);
  int reflected = 0;
  double worst = 0;
  for (const DielectricOutcome& o : outcomes) {
    reflected += o.reflected;
    if (o.reflected) worst = std::fmax(worst, norm(o.direction - mirror));
  }
  const double z = (reflected - samples * r) / std::sqrt(samples * r * (1 - r));
  INFO("R " << r << ", reflected " << reflected << " (z " << z << "), max angle to the mirror "
            << worst);
  CHECK(std::fabs(z) < 3.29);
  CHECK(worst < 20 * sigma);
}

template <class Exec>
void check_reflection_types(const Exec& exec) {
  const Vec3 d = incident(40 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const Vec3 normal = up;
  const Vec3 facet = normalize(Vec3{0.1f, 0.2f, 1.0f});
  const ReflectionProbabilities prob{0.2f, 0.3f, 0.1f};
  const auto selected =
      exec(samples, surface_streams(40), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
        return select_reflection(d, e, normal, facet, prob, rng);
      });
  std::vector<double> counts(4, 0.0);
  int misplaced = 0;
  double worst = 0;
  for (const SelectedReflection& s : selected) {
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

template <class Exec>
void check_full_unified(const Exec& exec) {
  const Vec3 normal = up;
  std::uint64_t stream = 50;
  for (const auto& media : {std::pair{1.0f, 1.5f}, std::pair{1.5f, 1.0f}}) {
    const float n1 = media.first, n2 = media.second;
    for (const double theta_deg : {0.0, 60.0, 85.0, 90.0}) {
      const Vec3 d = incident(theta_deg * pi / 180);
      const Vec3 e{0.0f, 1.0f, 0.0f};
      const auto outcomes =
          exec(200000, surface_streams(stream++), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
            return interact_unified(d, e, normal, n1, n2, 0.4f, {0.1f, 0.6f, 0.1f}, rng);
          });
      int wrong_side = 0, absorbed = 0, reflected = 0;
      double worst = 0;
      for (const UnifiedOutcome& o : outcomes) {
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
  const auto flags = exec(samples, surface_streams(60), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
    return std::uint8_t{
        interact_unified(d, e, normal, 1.0f, 1.5f, 0.1f, {0.0f, 1.0f, 0.0f}, rng).reflected};
  });
  int reflected = 0;
  for (const std::uint8_t f : flags) reflected += f;
  const double r = 1 - ref.transmitted;
  const double z = (reflected - samples * r) / std::sqrt(samples * r * (1 - r));
  INFO("reflected " << reflected << " expected " << samples * r << " z " << z);
  CHECK(std::fabs(z) < 3.29);
}

template <class Exec>
void check_front_paint(const Exec& exec) {
  const Vec3 d = incident(35 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const Vec3 normal = -up;  // the normal in either orientation
  std::uint64_t stream = 70;
  for (const ReflectorFinish finish : {ReflectorFinish::polished, ReflectorFinish::ground}) {
    const Tally t = tally_fates(exec(samples, surface_streams(stream++),
                                     [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
                                       return front_painted(d, e, normal, 0.7f, finish, rng);
                                     }),
                                d, e);
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

template <class Exec>
void check_polished_back_paint(const Exec& exec) {
  // s (or p) light stays s (or p) through refraction and the mirror, so each internal round trip
  // is the same: P(reflected) = R1 + T1 Σ_{k<100} ρ^{k+1} R2^k T2, R2 = R(θt, n_layer → n1).
  const double n1 = 1.0, nl = 1.5, rho = 0.8;
  const Vec3 normal = up;
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
      const float n1_f = float(n1), nl_f = float(nl), rho_f = float(rho);
      const auto outcomes =
          exec(samples, surface_streams(stream++), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
            return back_painted(d, e, normal, n1_f, nl_f, rho_f, ReflectorFinish::polished, rng);
          });
      std::vector<double> counts(5, 0.0);
      double worst = 0;
      const Vec3 mirror = reflect(d, up);
      for (const SurfaceOutcome& o : outcomes) {
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
}

template <class Exec>
void check_ground_back_paint(const Exec& exec) {
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
  const Vec3 normal = up;
  const double r1 = reflectance(-d.z, n1, nl, 1), t1 = 1 - r1;
  double out = 0;
  for (int k = 0; k < max_paint_bounces; ++k)
    out += std::pow(rho, k + 1) * std::pow(1 - t_bar, k) * t_bar;
  const float n1_f = float(n1), nl_f = float(nl), rho_f = float(rho);
  const auto outcomes =
      exec(samples, surface_streams(91), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
        return back_painted(d, e, normal, n1_f, nl_f, rho_f, ReflectorFinish::ground, rng);
      });
  std::vector<double> counts(5, 0.0);
  int wrong_side = 0;
  for (const SurfaceOutcome& o : outcomes) {
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

template <class Exec>
void check_metal(const Exec& exec) {
  const Vec3 d = incident(25 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const Vec3 normal = up;
  std::uint64_t stream = 100;
  for (const ReflectorFinish finish : {ReflectorFinish::polished, ReflectorFinish::ground}) {
    const Tally t =
        tally_fates(exec(samples, surface_streams(stream++),
                         [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
                           return dielectric_metal(d, e, normal, 0.6f, 0.3f, finish, rng);
                         }),
                    d, e);
    const bool polished = finish == ReflectorFinish::polished;
    const ChiSquare c =
        chi_square_fractions(t.counts, {polished ? 0.6 : 0, polished ? 0 : 0.6, 0, 0.28, 0.12});
    INFO((polished ? "polished" : "ground")
         << ": chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value);
    CHECK(c.p_value > 1e-3);
    CHECK(t.misplaced == 0);
  }
}

template <class Exec>
void check_complex_metal(const Exec& exec) {
  std::uint64_t stream = 110;
  const double eff = 0.25;
  const Vec3 normal = up;
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
      const Vec3 e = pols[j];
      const float n1_f = float(n1), eff_f = float(eff);
      const auto outcomes =
          exec(samples, surface_streams(stream++), [=] CHROMA2_HD(std::uint64_t, Rng & rng) {
            return dielectric_metal_complex(d, e, normal, n1_f, 2.0f, 3.0f, eff_f, rng);
          });
      double worst = 0, s_kept = 1;
      for (const SurfaceOutcome& o : outcomes) {
        if (o.fate == SurfaceFate::reflected_specular) {
          worst = std::fmax(worst, beam_defect(o.direction, o.polarisation));
          if (j == 0) s_kept = std::fmin(s_kept, -dot(o.polarisation, s));  // s stays s (as −ŝ)
        }
      }
      const Tally t = tally_fates(outcomes, d, e);
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

template <class Exec>
void check_dichroic(const Exec& exec) {
  const Vec3 d = incident(20 * pi / 180);
  const Vec3 e{0.0f, 1.0f, 0.0f};
  const Vec3 normal = up;
  std::uint64_t stream = 120;
  for (const auto& filter : {std::pair{0.3f, 0.5f}, std::pair{0.7f, 0.6f}}) {
    const float r = filter.first, t = filter.second;
    const auto outcomes = exec(
        samples, surface_streams(stream++),
        [=] CHROMA2_HD(std::uint64_t, Rng & rng) { return dichroic(d, e, normal, r, t, rng); });
    int repolarised = 0;
    for (const SurfaceOutcome& o : outcomes)
      if (o.fate == SurfaceFate::reflected_specular)
        repolarised += !(o.polarisation == specular_reflection(d, e, up).polarisation);
    const Tally tally = tally_fates(outcomes, d, e);
    const double pt = std::fmin(double(t), 1.0 - r);  // R + T > 1 reads as T = 1 − R
    const ChiSquare c = chi_square_fractions(tally.counts, {r, 0, pt, 1 - r - pt, 0});
    INFO("R " << r << " T " << t << ": chi2 " << c.chi2 << " dof " << c.dof << " p " << c.p_value);
    CHECK(c.p_value > 1e-3);
    CHECK(tally.misplaced == 0);
    CHECK(repolarised == 0);
  }
}

}  // namespace chroma2::test::interaction
