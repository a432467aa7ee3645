// SPDX-License-Identifier: BSD-3-Clause
// Resampled wavelength tables: UniformTable is built on the host from a SpectralTable and checked
// to reproduce it; UniformTableRef is the trivially copyable lookup kernels call (O(1) on a uniform
// grid, or a binary search over the original nodes where no grid under the cap is accurate enough).
#pragma once

#include "chroma2/config/macros.hpp"
#include "chroma2/config/memory.hpp"
#include "chroma2/config/stream.hpp"
#include "chroma2/physics/detail/bracket.hpp"
#include "chroma2/physics/detail/piecewise_linear.hpp"
#include "chroma2/physics/spectral_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace chroma2 {

// How UniformTableRef finds a wavelength's interval.
enum class TableLookup : std::uint32_t {
  uniform,   // a uniform wavelength grid: index = (λ − λ_lo) / step
  nodes_nm,  // the original nodes, increasing λ: binary search, interpolation in λ
  nodes_ev,  // the original nodes, increasing E = hc/λ: binary search, interpolation in E
};

// A table over [lo_nm, hi_nm]. Outside that range (and for a NaN wavelength, which counts as
// below it) the value is clamped to the nearer end and out_of_range is set; it is never cleared,
// so one flag collects several lookups. count < 2 means the constant value_lo everywhere.
struct UniformTableRef {
  const float* data;  // uniform: count values; nodes: count keys, then count values
  float lo_nm, hi_nm;
  float value_lo, value_hi;  // the values at lo_nm and hi_nm
  float inv_step;            // uniform: 1 / grid step (1/nm)
  std::uint32_t count;
  TableLookup lookup;

  CHROMA2_HD float operator()(float wavelength_nm, bool& out_of_range) const {
    if (!(wavelength_nm >= lo_nm)) {
      out_of_range = true;
      return value_lo;
    }
    if (wavelength_nm > hi_nm) {
      out_of_range = true;
      return value_hi;
    }
    if (count < 2) return value_lo;
    if (lookup == TableLookup::uniform) return on_grid(wavelength_nm);
    return on_nodes(lookup == TableLookup::nodes_ev ? static_cast<float>(hc_ev_nm) / wavelength_nm
                                                    : wavelength_nm);
  }

 private:
  CHROMA2_HD float on_grid(float wavelength_nm) const {
    const float t = std::fmin((wavelength_nm - lo_nm) * inv_step, static_cast<float>(count - 1));
    const std::uint32_t i = std::min(static_cast<std::uint32_t>(t), count - 2);
    const float f = t - static_cast<float>(i);
    return (1.0f - f) * data[i] + f * data[i + 1];
  }
  CHROMA2_HD float on_nodes(float key) const {
    const float* keys = data;
    const float* values = data + count;
    const std::uint32_t a = detail::bracket(keys, count, key), b = a + 1;
    // Both weights from their own difference: a value next to a huge neighbour (a sharp step)
    // keeps its relative accuracy, which 1 − w would lose.
    const float h = keys[b] - keys[a];
    const float wa = std::fmin(std::fmax((keys[b] - key) / h, 0.0f), 1.0f);
    const float wb = std::fmin(std::fmax((key - keys[a]) / h, 0.0f), 1.0f);
    return wa * values[a] + wb * values[b];
  }
};

struct ResampleOptions {
  double tolerance = 1e-3;                // relative to the exact value at each swept wavelength
  std::uint32_t max_points = 65536;       // largest uniform grid tried
  std::uint32_t sweep_per_interval = 64;  // checked wavelengths per input interval
};

// The host side of one resampled table: its data and its shape (a ref without storage).
// Which representation: a uniform wavelength grid is tried with as many intervals as the input has
// (so an evenly spaced input is reproduced at once), then with twice as many, and so on, until
// every swept wavelength (sweep_relative_error) agrees with the input's own linear interpolation
// within the tolerance, relative to the local value. Past max_points the original nodes are kept:
// exact to float rounding at the cost of a binary search (log2 of the node count) on the device.
// That is the right answer for sharp steps into tiny values, such as Chroma's demo glass
// absorption (500 mm at 770 nm to 1e-7 mm at 800 nm): within a float of the kink the exact value
// is ~1e-3 mm, and a grid node that misses 800 nm by a rounding error is already off by 100%, so no
// grid of any size is trustworthy there, while 8 nodes cost 3 search steps. An eV table's grid is
// still uniform in wavelength, sampling the function interpolated in energy; its node fallback
// interpolates in energy.
struct UniformTable {
  std::vector<float> data;
  UniformTableRef shape{nullptr, 0, 0, 0, 0, 0, 0, TableLookup::uniform};
  double max_relative_error = 0;  // over the sweep, of the representation kept
  std::uint32_t grids_tried = 0;

  bool is_uniform() const { return shape.lookup == TableLookup::uniform; }
  std::uint32_t points() const { return shape.count; }
  // The ref for a copy of data that starts at stored (in whatever memory space holds it).
  UniformTableRef bind(const float* stored) const {
    UniformTableRef r = shape;
    r.data = stored;
    return r;
  }
  UniformTableRef host_ref() const { return bind(data.data()); }

  // The same value at every wavelength, never out of range (e.g. an absent absorption length).
  static UniformTable constant(float value) {
    constexpr float inf = std::numeric_limits<float>::infinity();
    UniformTable t;
    t.shape = {nullptr, -inf, inf, value, value, 0, 0, TableLookup::uniform};
    return t;
  }
};

namespace detail {

// Largest relative error of ref against exact, taken at the float wavelengths the device sees:
// per_interval evenly spaced ones in each input interval, every node, and, around each node, the
// 8 nearest floats on either side and offsets of h/2, h/4, ... h/2^24 into each neighbouring
// interval. Kinks sit at nodes, and next to a kink where the value is small (a step from 500 mm
// to 1e-7 mm) a grid node that misses the kink by a fraction of a nanometre is wrong by orders of
// magnitude; evenly spaced points alone would not see it.
inline double sweep_relative_error(const PiecewiseLinear& exact, const UniformTableRef& ref,
                                   std::uint32_t per_interval) {
  const std::vector<double> nodes = exact.nodes_nm();
  const float lo = static_cast<float>(nodes.front()), hi = static_cast<float>(nodes.back());
  double worst = 0;
  auto check_float = [&](float x) {
    if (!(x >= lo && x <= hi)) return;
    bool out = false;
    const double got = ref(x, out);
    const double want = exact(static_cast<double>(x));
    const double err = std::fabs(got - want) / std::fmax(std::fabs(want), 1e-30);
    worst = std::fmax(worst, out ? std::numeric_limits<double>::infinity() : err);
  };
  auto check = [&](double nm) { check_float(static_cast<float>(nm)); };
  const std::size_t n = nodes.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float node = static_cast<float>(nodes[i]);
    float below = node, above = node;
    check_float(node);
    for (int k = 0; k < 8; ++k) {
      below = std::nextafter(below, -std::numeric_limits<float>::infinity());
      above = std::nextafter(above, std::numeric_limits<float>::infinity());
      check_float(below);
      check_float(above);
    }
    for (int j = 1; j <= 24; ++j) {
      if (i > 0) check(nodes[i] - std::ldexp(nodes[i] - nodes[i - 1], -j));
      if (i + 1 < n) check(nodes[i] + std::ldexp(nodes[i + 1] - nodes[i], -j));
    }
    if (i + 1 < n)
      for (std::uint32_t j = 1; j < per_interval; ++j)
        check(nodes[i] + (nodes[i + 1] - nodes[i]) * j / per_interval);
  }
  return worst;
}

inline UniformTableRef table_shape(const PiecewiseLinear& exact, std::uint32_t count,
                                   TableLookup lookup, double inv_step) {
  return {nullptr,
          static_cast<float>(exact.lo_nm()),
          static_cast<float>(exact.hi_nm()),
          static_cast<float>(exact.value_at_lo_nm()),
          static_cast<float>(exact.value_at_hi_nm()),
          static_cast<float>(inv_step),
          count,
          lookup};
}

}  // namespace detail

inline UniformTable resample(const detail::PiecewiseLinear& exact,
                             const ResampleOptions& options = {}) {
  const double lo = exact.lo_nm(), hi = exact.hi_nm();
  UniformTable t;
  for (std::uint64_t m = exact.size() - 1; m + 1 <= options.max_points; m *= 2) {
    ++t.grids_tried;
    t.data.resize(m + 1);
    for (std::uint64_t i = 0; i <= m; ++i)
      t.data[i] = static_cast<float>(exact(i == m ? hi : lo + (hi - lo) * i / m));
    t.shape = detail::table_shape(exact, static_cast<std::uint32_t>(m + 1), TableLookup::uniform,
                                  m / (hi - lo));
    t.max_relative_error =
        detail::sweep_relative_error(exact, t.host_ref(), options.sweep_per_interval);
    if (t.max_relative_error <= options.tolerance) return t;
  }
  const auto n = static_cast<std::uint32_t>(exact.size());
  t.data.resize(2 * std::size_t{n});
  for (std::uint32_t i = 0; i < n; ++i) {
    t.data[i] = static_cast<float>(exact.key[i]);
    t.data[n + i] = static_cast<float>(exact.value[i]);
  }
  t.shape = detail::table_shape(exact, n,
                                exact.in_energy ? TableLookup::nodes_ev : TableLookup::nodes_nm, 0);
  t.max_relative_error =
      detail::sweep_relative_error(exact, t.host_ref(), options.sweep_per_interval);
  return t;
}

// Validates table (validate_spectral_table) and resamples it.
inline UniformTable make_uniform_table(const SpectralTable& table, const TableLabel& label,
                                       const ResampleOptions& options = {}) {
  return resample(detail::make_piecewise_linear(table, label), options);
}

// One resampled table stored in a memory space, for users of a single table; MaterialSet packs
// all of its tables into one buffer instead.
template <class Space>
class UniformTableBuffer {
 public:
  explicit UniformTableBuffer(const UniformTable& table, Stream stream = {})
      : data_(table.data.size(), stream) {
    Space::copy_from_host(data_.data(), table.data.data(), data_.bytes(), stream);
    Space::synchronize(stream);
    ref_ = table.bind(data_.data());
  }
  UniformTableRef ref() const { return ref_; }

 private:
  Buffer<float, Space> data_;
  UniformTableRef ref_{};
};

}  // namespace chroma2
