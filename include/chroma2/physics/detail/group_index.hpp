// SPDX-License-Identifier: BSD-3-Clause
// The group index n_g = n − λ·dn/dλ at a refractive-index table's own nodes, from which the group
// velocity c / n_g (the speed a photon's time advances with) is tabulated like any other property.
#pragma once

#include "chroma2/physics/detail/piecewise_linear.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace chroma2::detail {

struct GroupIndex {
  PiecewiseLinear table;               // n_g on the index table's nodes and key
  std::vector<std::size_t> anomalous;  // nodes (in increasing λ) where dn/dλ > 0
  std::vector<double> anomalous_nm;    // their wavelengths
};

// dn/dλ by the three-point central difference on a possibly non-uniform grid (exact for a
// quadratic; the usual (f₊ − f₋)/2h on a uniform one), one-sided at the two ends. Where dn/dλ > 0
// (anomalous dispersion) n − λ·dn/dλ would make light faster than the phase velocity, so n_g = n
// there and the node is reported.
inline GroupIndex group_index(const PiecewiseLinear& n) {
  const std::vector<double> x = n.nodes_nm();
  const std::vector<double> f = n.values_by_nm();
  const std::size_t size = x.size();
  std::vector<double> ng(size);
  GroupIndex out;
  for (std::size_t i = 0; i < size; ++i) {
    double slope;
    if (i == 0) {
      slope = (f[1] - f[0]) / (x[1] - x[0]);
    } else if (i + 1 == size) {
      slope = (f[i] - f[i - 1]) / (x[i] - x[i - 1]);
    } else {
      const double h1 = x[i] - x[i - 1], h2 = x[i + 1] - x[i];
      slope = (-h2 / (h1 * (h1 + h2))) * f[i - 1] + ((h2 - h1) / (h1 * h2)) * f[i] +
              (h1 / (h2 * (h1 + h2))) * f[i + 1];
    }
    if (slope > 0) {
      out.anomalous.push_back(i);
      out.anomalous_nm.push_back(x[i]);
      ng[i] = f[i];
    } else {
      ng[i] = f[i] - x[i] * slope;
    }
  }
  out.table = n;
  out.table.value = ng;
  if (n.in_energy) std::reverse(out.table.value.begin(), out.table.value.end());
  return out;
}

}  // namespace chroma2::detail
