// SPDX-License-Identifier: BSD-3-Clause
// PiecewiseLinear: the exact host meaning of a validated SpectralTable in double precision: linear
// interpolation in the table's own variable (wavelength, or photon energy for an eV table), clamped
// at the ends. Resampling and the group index are measured against it.
#pragma once

#include "chroma2/physics/spectral_table.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace chroma2::detail {

struct PiecewiseLinear {
  std::vector<double> key;    // strictly increasing: λ in nm, or E in eV where in_energy
  std::vector<double> value;  // at each key
  bool in_energy = false;

  std::size_t size() const { return key.size(); }
  double key_of(double nm) const { return in_energy ? hc_ev_nm / nm : nm; }
  double nm_of(double k) const { return in_energy ? hc_ev_nm / k : k; }
  // Wavelength range; an energy table's shortest wavelength is its highest energy.
  double lo_nm() const { return nm_of(in_energy ? key.back() : key.front()); }
  double hi_nm() const { return nm_of(in_energy ? key.front() : key.back()); }
  double value_at_lo_nm() const { return in_energy ? value.back() : value.front(); }
  double value_at_hi_nm() const { return in_energy ? value.front() : value.back(); }

  double at_key(double k) const {
    if (!(k > key.front())) return value.front();
    if (k >= key.back()) return value.back();
    const std::size_t i =
        static_cast<std::size_t>(std::upper_bound(key.begin(), key.end(), k) - key.begin() - 1);
    const double h = key[i + 1] - key[i];
    // Two non-negative weights: no cancellation, so values spanning decades stay accurate.
    return (key[i + 1] - k) / h * value[i] + (k - key[i]) / h * value[i + 1];
  }
  double operator()(double nm) const { return at_key(key_of(nm)); }

  // The nodes and their values in order of increasing wavelength.
  std::vector<double> nodes_nm() const {
    std::vector<double> out(size());
    for (std::size_t i = 0; i < size(); ++i) out[i] = nm_of(key[in_energy ? size() - 1 - i : i]);
    return out;
  }
  std::vector<double> values_by_nm() const {
    std::vector<double> out = value;
    if (in_energy) std::reverse(out.begin(), out.end());
    return out;
  }
};

// Validates t (validate_spectral_table) and orders its grid by increasing key.
inline PiecewiseLinear make_piecewise_linear(const SpectralTable& t, const TableLabel& label) {
  validate_spectral_table(t, label);
  PiecewiseLinear p{t.x, t.y, t.unit == SpectralUnit::electronvolt};
  if (p.key[1] < p.key[0]) {
    std::reverse(p.key.begin(), p.key.end());
    std::reverse(p.value.begin(), p.value.end());
  }
  return p;
}

}  // namespace chroma2::detail
