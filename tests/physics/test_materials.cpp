// SPDX-License-Identifier: BSD-3-Clause
// Materials on the host: validation messages, the group velocity derived from the index (and the
// anomalous-dispersion warning), absent lengths, reemission sampling checked statistically (KS and
// chi-square on 10^6 draws, fixed keys) and the loader of Chroma's demo tables.
#include "support/data.hpp"
#include "support/stats.hpp"

#include "chroma2/core/rng/philox.hpp"
#include "chroma2/core/rng/sampling.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/physics/material.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

using namespace chroma2;
using Catch::Matchers::ContainsSubstring;

static_assert(std::is_trivially_copyable_v<MaterialsRef>);
static_assert(std::is_trivially_copyable_v<MaterialTablesRef>);
static_assert(std::is_trivially_copyable_v<MaterialProperties>);
static_assert(std::is_trivially_copyable_v<Reemission>);
static_assert(std::is_trivially_copyable_v<detail::EmissionComponentRef>);
static_assert(std::is_trivially_copyable_v<detail::InverseCdfRef>);

namespace {

constexpr std::size_t samples = 1'000'000;
constexpr double c_mm_per_ns = 299.792458;

using Rng = PhotonRng<Philox4x32Policy>;
Rng make_rng(std::uint64_t photon) { return Rng({}, RngKey{0x5eed0fc0ffeeull, photon, 7}, 0); }

SpectralTable constant(double value) { return {{200, 900}, {value, value}}; }

MaterialSpec plain(const std::string& name) {
  MaterialSpec m;
  m.name = name;
  m.refractive_index = constant(1.5);
  return m;
}

// p-value of the two-sided KS statistic d for n draws (asymptotic Kolmogorov distribution with
// Stephens' small-sample correction).
double ks_p_value(double d, std::size_t n) {
  const double sn = std::sqrt(static_cast<double>(n));
  const double l = (sn + 0.12 + 0.11 / sn) * d;
  if (l < 0.2) return 1.0;
  double p = 0, sign = 1;
  for (int k = 1; k <= 100; ++k, sign = -sign) p += 2 * sign * std::exp(-2.0 * k * k * l * l);
  return std::clamp(p, 0.0, 1.0);
}

// The CDF of a piecewise-linear density through (x, y) (x increasing), normalised: a reference
// independent of the library's.
struct DensityCdf {
  std::vector<double> x, y, f;
  DensityCdf(std::vector<double> xs, std::vector<double> ys) : x(std::move(xs)), y(std::move(ys)) {
    f.assign(x.size(), 0.0);
    for (std::size_t i = 1; i < x.size(); ++i)
      f[i] = f[i - 1] + 0.5 * (y[i] + y[i - 1]) * (x[i] - x[i - 1]);
  }
  double operator()(double v) const {
    if (v <= x.front()) return 0;
    if (v >= x.back()) return 1;
    std::size_t i = 0;
    while (x[i + 1] < v) ++i;
    const double t = v - x[i], s = (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
    return (f[i] + t * (y[i] + 0.5 * s * t)) / f.back();
  }
};

// KS and chi-square (50 equiprobable bins, through the probability transform) of the draws
// against the reference CDF, printed and required to have p > 1e-3.
template <class Cdf>
void check_fit(const char* what, const std::vector<double>& draws, Cdf cdf) {
  std::vector<double> pit(draws.size());
  for (std::size_t i = 0; i < draws.size(); ++i) pit[i] = cdf(draws[i]);
  const double ks_p = ks_p_value(test::ks_statistic(draws, cdf), draws.size());
  const test::ChiSquare c = test::chi_square_flat(pit, 0, 1, 50);
  std::printf("  %-46s %7zu draws: KS p = %.3f, chi2 = %.1f / %d dof, p = %.3f\n", what,
              draws.size(), ks_p, c.chi2, c.dof, c.p_value);
  INFO(what);
  CHECK(ks_p > 1e-3);
  CHECK(c.p_value > 1e-3);
}

// A scintillator-like emission spectrum (relative intensity per nm).
const std::vector<double> spectrum_x{350, 380, 400, 420, 450, 500, 550};
const std::vector<double> spectrum_y{0, 2, 5, 4, 1, 0.5, 0};

MaterialSpec scintillator(bool conserves_energy, double time_constant_ns = 0) {
  MaterialSpec m = plain("scintillator");
  m.reemission_probability = constant(0.5);
  m.reemission.push_back({1.0, {spectrum_x, spectrum_y}, time_constant_ns, std::nullopt});
  m.reemission_conserves_energy = conserves_energy;
  return m;
}

std::vector<double> draw_wavelengths(const MaterialsRef& r, float absorbed_nm, std::uint64_t key) {
  Rng rng = make_rng(key);
  std::vector<double> out(samples);
  for (double& w : out) w = r.reemit(0, absorbed_nm, rng).wavelength_nm;
  return out;
}

std::filesystem::path scratch_dir() {
  const auto d = std::filesystem::temp_directory_path() / "chroma2_test_materials";
  std::filesystem::create_directories(d);
  return d;
}

std::filesystem::path write_file(const std::string& name, const std::string& text) {
  const auto p = scratch_dir() / name;
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("The group velocity of a Cauchy index is c over A + 3B/λ² within the difference error",
          "[physics][materials][host]") {
  // n = A + B/λ² every h = 10 nm from 300 to 800 nm; exactly n_g = n − λ dn/dλ = A + 3B/λ².
  const double A = 1.32, B = 3000, h = 10;
  MaterialSpec m = plain("cauchy");
  m.refractive_index = {};
  for (double l = 300; l <= 800; l += h) {
    m.refractive_index.x.push_back(l);
    m.refractive_index.y.push_back(A + B / (l * l));
  }
  const MaterialSet<Host> set({m});
  CHECK(set.warnings().empty());
  const MaterialsRef r = set.ref();
  auto exact = [&](double l) { return A + 3 * B / (l * l); };
  auto measured = [&](double l) {
    return c_mm_per_ns / r.properties(0, static_cast<float>(l)).group_velocity;
  };
  // Central difference: |error of dn/dλ| <= h²/6 max|n'''| = 4Bh²/ξ⁵ over ξ in [λ−h, λ+h], so
  // |error of n_g| <= 4Bh²λ/(λ−h)⁵ (1.5e-4 at 310 nm). One-sided at the ends: h/2 max|n''| =
  // 3Bh/ξ⁴, so 3Bhλ/λ_min⁴ (3.3e-3 at 300 nm). Between nodes linear interpolation adds at most
  // h²/8 max|n_g''| = h²/8 · 18B/λ⁴. 1e-6 covers float storage and c / v.
  auto interior = [&](double l) { return 4 * B * h * h * l / std::pow(l - h, 5); };
  double worst_interior = 0;
  for (double l = 310; l <= 790; l += h) {
    const double err = std::fabs(measured(l) - exact(l));
    worst_interior = std::max(worst_interior, err / interior(l));
    CHECK(err <= interior(l) + 1e-6);
  }
  CHECK(std::fabs(measured(300) - exact(300)) <= 3 * B * h * 300 / std::pow(300, 4) + 1e-6);
  CHECK(std::fabs(measured(800) - exact(800)) <= 3 * B * h * 800 / std::pow(790, 4) + 1e-6);
  for (double l = 310; l < 790; l += 0.37) {
    const double lo = std::floor(l / h) * h;
    const double bound =
        std::max(interior(lo), interior(lo + h)) + h * h / 8 * 18 * B / std::pow(lo, 4) + 1e-6;
    CHECK(std::fabs(measured(l) - exact(l)) <= bound);
  }
  std::printf("  Cauchy n_g: worst interior node error is %.2f of the central-difference bound\n",
              worst_interior);
  // and the index itself, with the phase velocity below the group velocity's ... c/n > c/n_g
  for (double l = 300; l <= 800; l += 7.3) {
    const MaterialProperties p = r.properties(0, static_cast<float>(l));
    CHECK(std::fabs(p.refractive_index - (A + B / (l * l))) < 2e-3);
    CHECK_FALSE(p.out_of_table);
    CHECK(p.group_velocity < c_mm_per_ns / p.refractive_index);
  }
}

TEST_CASE("Anomalous dispersion uses the phase velocity there and warns once per material",
          "[physics][materials][host]") {
  MaterialSpec m = plain("odd glass");
  m.refractive_index = {{300, 400, 500, 600}, {1.30, 1.35, 1.33, 1.32}};
  const MaterialSet<Host> set({m, plain("plain")});
  REQUIRE(set.warnings().size() == 1);
  CHECK_THAT(set.warnings()[0], ContainsSubstring("material 'odd glass'") &&
                                    ContainsSubstring("anomalous dispersion") &&
                                    ContainsSubstring("2 node(s) (300 nm, 400 nm)"));
  const MaterialsRef r = set.ref();
  CHECK(r.properties(0, 300).group_velocity == static_cast<float>(c_mm_per_ns) / 1.30f);
  CHECK(std::fabs(r.properties(0, 400).group_velocity - c_mm_per_ns / 1.35) < 1e-4);
  // at 500 nm dn/dλ = (1.32 − 1.35) / 200 < 0: n_g = n − λ dn/dλ = 1.33 + 0.075
  CHECK(std::fabs(r.properties(0, 500).group_velocity - c_mm_per_ns / 1.405) < 1e-4);
}

TEST_CASE("An absent absorption or scattering length is infinite and never out of table",
          "[physics][materials][host]") {
  const MaterialSet<Host> set({plain("vacuum-like")});
  const MaterialProperties p = set.ref().properties(0, 430);
  CHECK(std::isinf(p.absorption_length));
  CHECK(std::isinf(p.scattering_length));
  CHECK(p.reemission_probability == 0);
  CHECK(p.refractive_index == 1.5f);
  CHECK(p.group_velocity == static_cast<float>(c_mm_per_ns) / 1.5f);
  CHECK_FALSE(p.out_of_table);
  CHECK(set.ref().properties(0, 100).out_of_table);  // the index table starts at 200 nm
  CHECK(set.id("vacuum-like") == 0);
  CHECK_THROWS_WITH(set.id("air"), ContainsSubstring("no material named 'air'"));
}

TEST_CASE("Invalid materials are refused with the material, property and entry named",
          "[physics][materials][host]") {
  struct Bad {
    const char* what;
    std::vector<MaterialSpec> specs;
    std::vector<std::string> message;  // substrings the error must contain
  };
  auto with = [](MaterialSpec m, auto change) {
    change(m);
    return std::vector<MaterialSpec>{m};
  };
  const SpectralTable spectrum{spectrum_x, spectrum_y};
  const std::vector<Bad> cases = {
      {"a refractive index below 1",
       with(plain("bad"),
            [](MaterialSpec& m) {
              m.refractive_index = {{300, 400, 500}, {1.3, 0.9, 1.3}};
            }),
       {"material 'bad' refractive_index entry 1 (x = 400 nm, y = 0.9)", "below 1"}},
      {"a negative length",
       with(plain("bad"),
            [](MaterialSpec& m) {
              m.absorption_length = {{300, 400, 500}, {100, -5, 100}};
            }),
       {"material 'bad' absorption_length entry 1 (x = 400 nm, y = -5)", "a length is positive"}},
      {"a grid that is not monotonic",
       with(plain("bad"),
            [](MaterialSpec& m) {
              m.scattering_length = {{300, 500, 400}, {1, 2, 3}};
            }),
       {"material 'bad' scattering_length entry 2 (x = 400 nm, y = 3)", "strictly increasing"}},
      {"a probability above 1",
       with(scintillator(true),
            [](MaterialSpec& m) {
              m.reemission_probability = SpectralTable{{300, 400, 500}, {0.2, 1.5, 0.2}};
            }),
       {"material 'scintillator' reemission_probability entry 1 (x = 400 nm, y = 1.5)", "[0, 1]"}},
      {"shares that do not sum to 1",
       with(scintillator(true),
            [&](MaterialSpec& m) {
              m.reemission[0].share = 0.5;
              m.reemission.push_back({0.4, spectrum, 3.0, std::nullopt});
            }),
       {"material 'scintillator' reemission shares sum to 0.9", "sum to 1"}},
      {"a negative share",
       with(scintillator(true), [](MaterialSpec& m) { m.reemission[0].share = -1; }),
       {"material 'scintillator' reemission[0].share is -1"}},
      {"a decreasing delay CDF",
       with(scintillator(true),
            [](MaterialSpec& m) {
              m.reemission[0].time_cdf = SpectralTable{{0, 1, 2, 3}, {0, 0.6, 0.5, 1}};
            }),
       {"material 'scintillator' reemission[0].time_cdf entry 2 (x = 2 ns, y = 0.5)",
        "never decreases"}},
      {"a delay CDF that does not reach 1",
       with(scintillator(true),
            [](MaterialSpec& m) {
              m.reemission[0].time_cdf = SpectralTable{{0, 1, 2}, {0, 0.5, 0.9}};
            }),
       {"reemission[0].time_cdf ends at 0.9"}},
      {"a delay CDF and a time constant together",
       with(scintillator(true, 2.0),
            [](MaterialSpec& m) {
              m.reemission[0].time_cdf = SpectralTable{{0, 1}, {0, 1}};
            }),
       {"reemission[0].time_cdf is given with a time constant"}},
      {"a negative emission intensity",
       with(scintillator(true), [](MaterialSpec& m) { m.reemission[0].spectrum.y[3] = -1; }),
       {"material 'scintillator' reemission[0].spectrum entry 3 (x = 420 nm, y = -1)"}},
      {"an emission spectrum of zeros",
       with(scintillator(true),
            [](MaterialSpec& m) { m.reemission[0].spectrum.y.assign(spectrum_x.size(), 0.0); }),
       {"reemission[0].spectrum integrates to 0"}},
      {"reemission without a spectrum",
       with(scintillator(true), [](MaterialSpec& m) { m.reemission.clear(); }),
       {"positive reemission_probability but no reemission components"}},
      {"a missing index",
       with(plain("empty"), [](MaterialSpec& m) { m.refractive_index = {}; }),
       {"material 'empty' has no refractive_index"}},
      {"two materials with one name", {plain("a"), plain("a")}, {"material 'a' is given twice"}},
  };
  for (const Bad& c : cases) {
    INFO(c.what);
    try {
      const MaterialSet<Host> set(c.specs);
      FAIL("accepted");
    } catch (const Error& e) {
      for (const std::string& m : c.message) CHECK_THAT(e.what(), ContainsSubstring(m));
      CHECK_THAT(e.what(), ContainsSubstring("\u2014"));  // "problem (why) — what to do"
    }
  }
}

TEST_CASE("Re-emitted wavelengths follow the spectrum above the absorbed wavelength",
          "[physics][materials][reemission][host]") {
  const MaterialSet<Host> set({scintillator(true)});
  const float absorbed = 410;
  const std::vector<double> w = draw_wavelengths(set.ref(), absorbed, 1);
  CHECK(*std::min_element(w.begin(), w.end()) >= absorbed);
  CHECK(*std::max_element(w.begin(), w.end()) <= 550);
  const DensityCdf full(spectrum_x, spectrum_y);
  const double f0 = full(absorbed);
  check_fit("spectrum restricted to >= 410 nm", w,
            [&](double l) { return (full(l) - f0) / (1 - f0); });
}

TEST_CASE("A material set keeps its tables and records in one arena",
          "[physics][materials][arena][host]") {
  MaterialSet<Host> set({plain("inert"), scintillator(true, 3)});
  const MaterialsRef r = set.ref();
  std::vector<std::uintptr_t> pointers{reinterpret_cast<std::uintptr_t>(r.materials),
                                       reinterpret_cast<std::uintptr_t>(r.components)};
  for (std::int32_t m = 0; m < r.count; ++m)
    for (const UniformTableRef* t :
         {&r.materials[m].refractive_index, &r.materials[m].group_index,
          &r.materials[m].absorption_length, &r.materials[m].scattering_length,
          &r.materials[m].reemission_probability})
      if (t->data) pointers.push_back(reinterpret_cast<std::uintptr_t>(t->data));
  CHECK(pointers.size() >= 7);  // records, components and the tables given
  // every table and record within the span of bytes() (separate allocations would not be)
  const auto [lo, hi] = std::minmax_element(pointers.begin(), pointers.end());
  CHECK(*lo != 0);
  CHECK(*hi - *lo < set.bytes());
  CHECK(set.bytes() < 64 * 1024);
  // moved, the set's refs still read the same tables
  const float before = r.properties(1, 420).refractive_index;
  const MaterialSet<Host> moved(std::move(set));
  CHECK(moved.ref().materials == r.materials);
  CHECK(moved.ref().properties(1, 420).refractive_index == before);
}

TEST_CASE("Without energy conservation the whole spectrum is drawn",
          "[physics][materials][reemission][host]") {
  const MaterialSet<Host> set({scintillator(false)});
  const std::vector<double> w = draw_wavelengths(set.ref(), 410, 2);
  CHECK(*std::min_element(w.begin(), w.end()) < 360);
  check_fit("whole spectrum", w, DensityCdf(spectrum_x, spectrum_y));
}

TEST_CASE("With no emission above the absorbed wavelength the longest one is returned",
          "[physics][materials][reemission][host]") {
  const MaterialSet<Host> set({scintillator(true)});
  Rng rng = make_rng(3);
  for (int i = 0; i < 1000; ++i) {
    CHECK(set.ref().reemit(0, 560, rng).wavelength_nm == 550.0f);
    CHECK(set.ref().reemit(0, 550, rng).wavelength_nm == 550.0f);
    // a NaN wavelength is not restricted and gives a wavelength of the spectrum
    const float w = set.ref().reemit(0, std::numeric_limits<float>::quiet_NaN(), rng).wavelength_nm;
    CHECK((w >= 350 && w <= 550));
  }
}

TEST_CASE("An emission spectrum per unit energy is drawn in energy",
          "[physics][materials][reemission][host]") {
  MaterialSpec m = plain("ev");
  m.reemission_probability = constant(1);
  const std::vector<double> ex{2.0, 2.5, 3.0, 3.5}, ey{0, 3, 1, 0};  // per eV
  m.reemission.push_back({1.0, {ex, ey, SpectralUnit::electronvolt}, 0, std::nullopt});
  const MaterialSet<Host> set({m});
  const float absorbed = 420;  // 2.952 eV: λ' >= 420 nm means E' <= 2.952 eV
  const std::vector<double> w = draw_wavelengths(set.ref(), absorbed, 4);
  const DensityCdf fe(ex, ey);
  const double fa = fe(hc_ev_nm / absorbed);
  CHECK(*std::min_element(w.begin(), w.end()) >= absorbed);
  check_fit("eV spectrum restricted to >= 420 nm", w,
            [&](double l) { return (fa - fe(hc_ev_nm / l)) / fa; });
}

TEST_CASE("Components are chosen by share and delayed by their own time constants",
          "[physics][materials][reemission][host]") {
  MaterialSpec m = plain("three");
  m.reemission_probability = constant(1);
  m.reemission_conserves_energy = false;
  const double shares[3] = {0.5, 0.3, 0.2}, taus[3] = {2, 5, 0};
  for (int c = 0; c < 3; ++c)
    m.reemission.push_back(
        {shares[c], {{300.0 + 100 * c, 320.0 + 100 * c}, {1, 1}}, taus[c], std::nullopt});
  const MaterialSet<Host> set({m});
  Rng rng = make_rng(5);
  std::vector<double> counts(3, 0.0);
  std::vector<double> delays[3];
  for (std::size_t i = 0; i < samples; ++i) {
    const Reemission e = set.ref().reemit(0, 400, rng);
    const int c = static_cast<int>((e.wavelength_nm - 300) / 100);
    REQUIRE((c >= 0 && c < 3));
    counts[c] += 1;
    delays[c].push_back(e.delay_ns);
  }
  std::vector<double> expected(3);
  for (int c = 0; c < 3; ++c) expected[c] = shares[c] * samples;
  const test::ChiSquare share_fit = test::chi_square(counts, expected);
  std::printf("  shares 0.5/0.3/0.2: %.0f/%.0f/%.0f, chi2 = %.2f / %d dof, p = %.3f\n", counts[0],
              counts[1], counts[2], share_fit.chi2, share_fit.dof, share_fit.p_value);
  CHECK(share_fit.p_value > 1e-3);
  for (int c = 0; c < 2; ++c) {
    const double tau = taus[c];
    const double d =
        test::ks_statistic(delays[c], [&](double t) { return 1 - std::exp(-t / tau); });
    const double p = ks_p_value(d, delays[c].size());
    std::printf("  exponential delays, tau = %.0f ns (%zu draws): KS p = %.3f\n", tau,
                delays[c].size(), p);
    CHECK(p > 1e-3);
  }
  CHECK(std::all_of(delays[2].begin(), delays[2].end(), [](double t) { return t == 0; }));
}

TEST_CASE("Delays follow a tabulated time CDF, including its probability at the first time",
          "[physics][materials][reemission][host]") {
  MaterialSpec m = scintillator(false);
  // 10% prompt (at t = 0), then linear pieces; given in decreasing time, which is accepted
  m.reemission[0].time_cdf = SpectralTable{{10, 5, 2, 0}, {1, 0.6, 0.5, 0.1}};
  const MaterialSet<Host> set({m});
  const std::vector<double> t{0, 2, 5, 10}, f{0.1, 0.5, 0.6, 1};
  auto cdf = [&](double v) {
    if (v >= 10) return 1.0;
    std::size_t i = 0;
    while (t[i + 1] < v) ++i;
    return f[i] + (f[i + 1] - f[i]) * (v - t[i]) / (t[i + 1] - t[i]);
  };
  Rng rng = make_rng(6);
  std::size_t prompt = 0;
  std::vector<double> later;
  for (std::size_t i = 0; i < samples; ++i) {
    const float d = set.ref().reemit(0, 400, rng).delay_ns;
    REQUIRE((d >= 0 && d <= 10));
    if (d == 0)
      ++prompt;
    else
      later.push_back(d);
  }
  // the prompt fraction is binomial(10^6, 0.1): sigma = 300
  std::printf("  time CDF: %zu prompt of %zu (expected 100000 +- 300)\n", prompt, samples);
  CHECK(std::fabs(static_cast<double>(prompt) - 0.1 * samples) < 5 * 300);
  check_fit("time-CDF delays after the prompt part", later,
            [&](double v) { return (cdf(v) - 0.1) / 0.9; });
}

TEST_CASE("Re-emission always draws three uniforms and ignores materials without components",
          "[physics][materials][reemission][host]") {
  const MaterialSet<Host> set({plain("inert"), scintillator(true, 3)});
  Rng a = make_rng(8), b = make_rng(8);
  const Reemission none = set.ref().reemit(0, 432, a);
  CHECK(none.wavelength_nm == 432);
  CHECK(none.delay_ns == 0);
  set.ref().reemit(1, 432, b);
  CHECK(a.next_u32() == b.next_u32());
}

TEST_CASE("Chroma's demo materials load and reproduce their tables",
          "[physics][materials][io][host][data]") {
  const auto dir = test::require_data_dir() / "chroma-demo";
  const std::vector<MaterialSpec> specs = load_chroma_demo_materials(dir);
  REQUIRE(specs.size() == 3);
  const MaterialSet<Host> set(specs);
  CHECK(set.id("glass") == 0);
  CHECK(set.id("vacuum") == 1);
  CHECK(set.id("water") == 2);
  for (const TableReport& t : set.tables()) {
    std::printf("  %-7s %-23s %-7s %6u points, max relative error %.3g\n", t.material.c_str(),
                t.property.c_str(), t.uniform ? "uniform" : "nodes", t.points,
                t.max_relative_error);
    CHECK(t.max_relative_error <= 1e-3);
  }
  for (const std::string& w : set.warnings()) std::printf("  warning: %s\n", w.c_str());
  CHECK(set.warnings().empty());
  const MaterialsRef r = set.ref();
  for (std::int32_t id = 0; id < 3; ++id) {
    const MaterialSpec& s = specs[static_cast<std::size_t>(id)];
    // a wavelength is in the table where every table covers it (glass absorption starts at 200)
    double lo = 0, hi = 1e9;
    for (const SpectralTable* t : {&s.refractive_index, &s.absorption_length, &s.scattering_length})
      lo = std::max(lo, t->x.front()), hi = std::min(hi, t->x.back());
    for (std::size_t i = 0; i < s.absorption_length.x.size(); ++i) {
      const MaterialProperties p = r.properties(id, static_cast<float>(s.absorption_length.x[i]));
      CHECK(std::fabs(p.absorption_length / s.absorption_length.y[i] - 1) <= 1e-3);
    }
    for (std::size_t i = 0; i < s.refractive_index.x.size(); ++i) {
      const MaterialProperties p = r.properties(id, static_cast<float>(s.refractive_index.x[i]));
      CHECK(std::fabs(p.refractive_index / s.refractive_index.y[i] - 1) <= 1e-3);
      CHECK(std::fabs(p.scattering_length / s.scattering_length.y[i] - 1) <= 1e-3);
      CHECK(p.group_velocity <= c_mm_per_ns / p.refractive_index * (1 + 1e-6));
      const double l = s.refractive_index.x[i];
      CHECK(p.out_of_table == (static_cast<float>(l) < static_cast<float>(lo) ||
                               static_cast<float>(l) > static_cast<float>(hi)));
    }
  }
  // glass: n = 1.49 everywhere, so the group velocity is c / 1.49
  CHECK(std::fabs(r.properties(0, 420).group_velocity - c_mm_per_ns / 1.49) < 1e-4);
  // water's tables end at 789.9 nm: Chroma's 400-800 nm benchmark light goes past them
  CHECK(r.properties(2, 795).out_of_table);
  CHECK(r.properties(2, 795).refractive_index == r.properties(2, 789.89978f).refractive_index);
}

TEST_CASE("Malformed demo table files are refused with the file and line named",
          "[physics][materials][io][host]") {
  const auto missing = scratch_dir() / "material_none_refractive_index.csv";
  CHECK_THROWS_WITH(read_wavelength_csv(missing, "refractive_index"),
                    ContainsSubstring("cannot open table '" + missing.string() + "'"));
  const auto header = write_file("header.csv", "nm,refractive_index\n300,1.3\n400,1.3\n");
  CHECK_THROWS_WITH(read_wavelength_csv(header, "refractive_index"),
                    ContainsSubstring("'" + header.string() + "' is malformed at line 1") &&
                        ContainsSubstring("wavelength_nm,refractive_index"));
  const auto property = write_file("property.csv", "wavelength_nm,absorption_length (mm)\n");
  CHECK_THROWS_WITH(read_wavelength_csv(property, "refractive_index"),
                    ContainsSubstring("malformed at line 1"));
  const auto text = write_file("text.csv", "wavelength_nm,refractive_index\n300,1.3\n400,one\n");
  CHECK_THROWS_WITH(read_wavelength_csv(text, "refractive_index"),
                    ContainsSubstring("'" + text.string() + "' is malformed at line 3") &&
                        ContainsSubstring("400,one"));
  const auto fields = write_file("fields.csv", "wavelength_nm,refractive_index\n300,1.3,2\n");
  CHECK_THROWS_WITH(read_wavelength_csv(fields, "refractive_index"),
                    ContainsSubstring("malformed at line 2") && ContainsSubstring("two fields"));
  const auto short_file = write_file("short.csv", "wavelength_nm,absorption_length (mm)\n300,5\n");
  CHECK_THROWS_WITH(read_wavelength_csv(short_file, "absorption_length"),
                    ContainsSubstring("'" + short_file.string() + "' is malformed at line 2") &&
                        ContainsSubstring("at least 2 rows"));
  const auto good = write_file("good.csv",
                               "wavelength_nm,absorption_length (mm)\r\n300,5\r\n"
                               "+400,6e1\r\n\r\n");
  const SpectralTable t = read_wavelength_csv(good, "absorption_length");
  CHECK(t.x == std::vector<double>{300, 400});
  CHECK(t.y == std::vector<double>{5, 60});
  CHECK_THROWS_WITH(load_chroma_demo_material(scratch_dir(), "none"),
                    ContainsSubstring("material_none_refractive_index.csv"));
}
