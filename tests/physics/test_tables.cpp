// SPDX-License-Identifier: BSD-3-Clause
// Wavelength tables on the host: validation messages, nm and eV input, resampling onto uniform
// grids checked by dense sweeps against the input's own linear interpolation (relative to the
// local value), the exact fallback for sharp steps, and clamping with its out-of-range flag.
#include "support/data.hpp"

#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/physics/spectral_table.hpp"
#include "chroma2/physics/uniform_table.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <vector>

using namespace chroma2;
using Catch::Matchers::ContainsSubstring;

static_assert(std::is_trivially_copyable_v<UniformTableRef>);

namespace {

// The reference: linear interpolation of the input nodes in their own variable (x = λ, or E for an
// eV table), written independently of the library.
double reference(const SpectralTable& t, double nm) {
  const double k = t.unit == SpectralUnit::electronvolt ? hc_ev_nm / nm : nm;
  std::vector<std::pair<double, double>> p;
  for (std::size_t i = 0; i < t.x.size(); ++i) p.push_back({t.x[i], t.y[i]});
  std::sort(p.begin(), p.end());
  if (k <= p.front().first) return p.front().second;
  if (k >= p.back().first) return p.back().second;
  std::size_t i = 0;
  while (p[i + 1].first < k) ++i;
  const double w = (k - p[i].first) / (p[i + 1].first - p[i].first);
  return (1 - w) * p[i].second + w * p[i + 1].second;
}

std::vector<double> nodes_nm(const SpectralTable& t) {
  std::vector<double> x = t.x;
  if (t.unit == SpectralUnit::electronvolt)
    for (double& v : x) v = hc_ev_nm / v;
  std::sort(x.begin(), x.end());
  return x;
}

// Largest relative error of the table's lookups against reference(): 1000 points per input
// interval and the 64 floats on either side of every node (where kinks make the error largest).
double dense_sweep(const SpectralTable& t, const UniformTableRef& ref) {
  const std::vector<double> x = nodes_nm(t);
  double worst = 0;
  auto check = [&](float nm) {
    if (!(nm >= ref.lo_nm && nm <= ref.hi_nm)) return;
    bool out = false;
    const double got = ref(nm, out);
    const double want = reference(t, nm);
    CHECK_FALSE(out);
    worst = std::max(worst, std::fabs(got - want) / std::max(std::fabs(want), 1e-30));
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    float lo = static_cast<float>(x[i]), hi = lo;
    check(lo);
    for (int k = 0; k < 64; ++k) {
      lo = std::nextafter(lo, 0.0f);
      hi = std::nextafter(hi, 1e30f);
      check(lo);
      check(hi);
    }
    if (i + 1 < x.size())
      for (int j = 1; j < 1000; ++j) check(static_cast<float>(x[i] + (x[i + 1] - x[i]) * j / 1000));
  }
  return worst;
}

void report(const char* name, const UniformTable& t, double swept) {
  std::printf("  %-34s %-7s %6u points, max relative error %.3g (builder's sweep %.3g)\n", name,
              t.is_uniform() ? "uniform" : "nodes", t.points(), swept, t.max_relative_error);
}

// A smooth table on an irregular grid from 200 to 800 nm.
SpectralTable smooth_table() {
  SpectralTable t;
  double x = 200;
  for (int i = 0; x <= 800; ++i) {
    t.x.push_back(x);
    t.y.push_back(100 + 50 * std::sin(x / 30) + std::exp(x / 200));
    x += 3 + 7 * std::fmod(i * 0.618034, 1.0);
  }
  return t;
}

const TableLabel label{"material 'test'", "absorption_length", ""};

}  // namespace

TEST_CASE("A smooth wavelength table resamples onto a uniform grid within 1e-3 everywhere",
          "[physics][tables][host]") {
  const SpectralTable s = smooth_table();
  const UniformTable t = make_uniform_table(s, label);
  CHECK(t.is_uniform());
  CHECK(t.points() <= 65536);
  const double err = dense_sweep(s, t.host_ref());
  report("smooth (irregular nm grid)", t, err);
  CHECK(err <= 1e-3);
  CHECK(t.max_relative_error <= 1e-3);
}

TEST_CASE("An electronvolt table is converted to wavelength and interpolated in energy",
          "[physics][tables][host]") {
  SpectralTable s;
  s.unit = SpectralUnit::electronvolt;
  for (double e = 1.5; e <= 6.2001; e += 0.1) {  // 200-827 nm, increasing energy
    s.x.push_back(e);
    s.y.push_back(1.3 + 0.02 * e * e + 0.5 * std::exp(-(e - 3) * (e - 3)));
  }
  const UniformTable t = make_uniform_table(s, label);
  const UniformTableRef r = t.host_ref();
  CHECK(r.lo_nm == static_cast<float>(hc_ev_nm / s.x.back()));
  CHECK(r.hi_nm == static_cast<float>(hc_ev_nm / s.x.front()));
  bool out = false;
  // the value at the shortest wavelength is that of the highest energy
  CHECK(r(r.lo_nm, out) == static_cast<float>(s.y.back()));
  CHECK(r(r.hi_nm, out) == static_cast<float>(s.y.front()));
  CHECK_FALSE(out);
  const double err = dense_sweep(s, r);
  report("eV table (1.5-6.2 eV)", t, err);
  CHECK(err <= 1e-3);

  SECTION("and on its original nodes too, where the grid is capped") {
    const UniformTable nodes = make_uniform_table(s, label, {1e-3, 8, 64});
    CHECK_FALSE(nodes.is_uniform());
    CHECK(nodes.shape.lookup == TableLookup::nodes_ev);
    const double node_err = dense_sweep(s, nodes.host_ref());
    report("eV table, nodes (cap 8 points)", nodes, node_err);
    CHECK(node_err <= 1e-5);
  }
}

TEST_CASE("A table given in decreasing wavelength is reordered", "[physics][tables][host]") {
  const SpectralTable up{{300, 400, 600}, {1, 5, 2}};
  const SpectralTable down{{600, 400, 300}, {2, 5, 1}};
  const UniformTable a_table = make_uniform_table(up, label);  // owns what the ref reads
  const UniformTableRef a = a_table.host_ref();
  const UniformTable b_table = make_uniform_table(down, label);
  const UniformTableRef b = b_table.host_ref();
  bool out = false;
  for (float nm = 300; nm <= 600; nm += 0.5f) CHECK(a(nm, out) == b(nm, out));
  CHECK(dense_sweep(down, b) <= 1e-3);
}

TEST_CASE("The demo glass absorption step is kept on its original nodes, exact to float rounding",
          "[physics][tables][host][data]") {
  const auto dir = test::require_data_dir() / "chroma-demo";
  const SpectralTable s =
      read_wavelength_csv(dir / "material_glass_absorption_length.csv", "absorption_length");
  const UniformTable t = make_uniform_table(s, label);
  // 500 mm at 770 nm to 1e-7 mm at 800 nm: no grid up to 65,536 points puts a node on the kink
  // at 800 nm closely enough for the value 1e-3 mm one float below it, so the nodes are kept.
  CHECK_FALSE(t.is_uniform());
  CHECK(t.points() == 8);
  const UniformTableRef r = t.host_ref();
  const double err = dense_sweep(s, r);
  report("demo glass absorption_length", t, err);
  CHECK(err <= 1e-5);
  bool out = false;
  CHECK(r(800.0f, out) == 1e-7f);
  CHECK(r(785.0f, out) == 250.0f);
  // one float below the kink the value is ~1e-3 mm, and it is right to 1e-5
  const float below = std::nextafter(800.0f, 0.0f);
  const double want = 1e-7 + (800.0 - below) * 500.0 / 30;
  CHECK(std::fabs(r(below, out) / want - 1) < 1e-5);
  CHECK_FALSE(out);
}

TEST_CASE("Every demo material table resamples within 1e-3 of its linear interpolation",
          "[physics][tables][host][data]") {
  const auto dir = test::require_data_dir() / "chroma-demo";
  for (const char* material : {"glass", "vacuum", "water"})
    for (const char* property : {"refractive_index", "absorption_length", "scattering_length"}) {
      const std::string file = std::string("material_") + material + "_" + property + ".csv";
      const SpectralTable s = read_wavelength_csv(dir / file, property);
      const UniformTable t = make_uniform_table(s, label);
      const double err = dense_sweep(s, t.host_ref());
      report((std::string(material) + " " + property).c_str(), t, err);
      INFO(file);
      CHECK(err <= 1e-3);
    }
}

TEST_CASE("A kinked table past the grid cap falls back to exact nodes", "[physics][tables][host]") {
  // A kink at 401 nm inside a cell of every grid from 2 to 16 points, into a small value.
  const SpectralTable s{{300, 401, 700}, {50, 1e-4, 1e-4}};
  const UniformTable capped = make_uniform_table(s, label, {1e-3, 16, 64});
  CHECK_FALSE(capped.is_uniform());
  CHECK(capped.shape.lookup == TableLookup::nodes_nm);
  CHECK(capped.grids_tried == 3);  // 3, 5 and 9 points; 17 is over the cap
  CHECK(dense_sweep(s, capped.host_ref()) <= 1e-5);
}

TEST_CASE("Lookups clamp to the end values outside the table and flag it, NaN included",
          "[physics][tables][host]") {
  const SpectralTable nm_table{{300, 450, 600}, {2, 3, 5}};
  SpectralTable ev_table{{2.0, 3.0, 4.0}, {5, 3, 2}, SpectralUnit::electronvolt};
  for (const UniformTable& t :
       {make_uniform_table(nm_table, label), make_uniform_table(nm_table, label, {1e-3, 2, 8}),
        make_uniform_table(ev_table, label), make_uniform_table(ev_table, label, {1e-3, 2, 8})}) {
    const UniformTableRef r = t.host_ref();
    const float lo = r.lo_nm, hi = r.hi_nm;
    bool out = false;
    const float at_lo = r(lo, out), at_hi = r(hi, out);
    CHECK_FALSE(out);  // the ends themselves are inside
    CHECK(at_lo == r.value_lo);
    CHECK(at_hi == r.value_hi);
    for (float below :
         {std::nextafter(lo, 0.0f), lo - 50, -1.0f, -std::numeric_limits<float>::infinity()}) {
      out = false;
      CHECK(r(below, out) == at_lo);
      CHECK(out);
    }
    for (float above :
         {std::nextafter(hi, 1e30f), hi + 50, std::numeric_limits<float>::infinity()}) {
      out = false;
      CHECK(r(above, out) == at_hi);
      CHECK(out);
    }
    out = false;
    const float nan_value = r(std::numeric_limits<float>::quiet_NaN(), out);
    CHECK(nan_value == at_lo);  // never NaN: the first value, flagged
    CHECK(out);
    // the flag collects: a later lookup in range does not clear it
    CHECK(r(0.5f * (lo + hi), out) > 0);
    CHECK(out);
  }
  const UniformTableRef c =
      UniformTable::constant(std::numeric_limits<float>::infinity()).host_ref();
  bool out = false;
  CHECK(std::isinf(c(1e-3f, out)));
  CHECK(std::isinf(c(1e6f, out)));
  CHECK_FALSE(out);
  CHECK(std::isinf(c(std::numeric_limits<float>::quiet_NaN(), out)));
  CHECK(out);
}

TEST_CASE("A table in host memory is usable through its buffer's ref", "[physics][tables][host]") {
  const SpectralTable s = smooth_table();
  const UniformTable t = make_uniform_table(s, label);
  const UniformTableBuffer<Host> buffer(t);
  CHECK(buffer.ref().data != t.data.data());
  CHECK(dense_sweep(s, buffer.ref()) <= 1e-3);
}

TEST_CASE("Malformed tables are refused with the owner, property and entry named",
          "[physics][tables][host]") {
  const TableLabel water{"material 'water'", "scattering_length", ""};
  CHECK_THROWS_WITH(make_uniform_table({{300}, {1}}, water),
                    ContainsSubstring("material 'water' scattering_length has 1 entries"));
  CHECK_THROWS_WITH(make_uniform_table({{300, 400}, {1}}, water),
                    ContainsSubstring("2 x values and 1 y values"));
  CHECK_THROWS_WITH(
      make_uniform_table({{300, 400, 400, 500}, {1, 2, 3, 4}}, water),
      ContainsSubstring("material 'water' scattering_length entry 2 (x = 400 nm, y = 3)") &&
          ContainsSubstring("strictly increasing"));
  CHECK_THROWS_WITH(
      make_uniform_table({{500, 400, 450}, {1, 2, 3}}, water),
      ContainsSubstring("entry 2 (x = 450 nm") && ContainsSubstring("strictly decreasing"));
  CHECK_THROWS_WITH(make_uniform_table({{300, 400}, {1, std::nan("")}}, water),
                    ContainsSubstring("entry 1") && ContainsSubstring("not finite"));
  CHECK_THROWS_WITH(
      make_uniform_table({{0.0, 2.0}, {1, 1}, SpectralUnit::electronvolt}, water),
      ContainsSubstring("entry 0 (x = 0 eV") && ContainsSubstring("photon energy <= 0"));
  CHECK_THROWS_WITH(
      check_entries(
          {{300, 400, 500}, {1, -2, 3}}, water, [](double y) { return y > 0; },
          "a length is positive"),
      ContainsSubstring("material 'water' scattering_length entry 1 (x = 400 nm, y = -2)") &&
          ContainsSubstring("a length is positive") && ContainsSubstring("\u2014"));
}
