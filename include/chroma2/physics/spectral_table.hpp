// SPDX-License-Identifier: BSD-3-Clause
// SpectralTable: the host description of a tabulated function of wavelength (nm) or of photon
// energy (eV, as Geant4 property tables are), with the checks every table gets when a material or
// surface is built. Property-specific rules (positive lengths, probabilities) use check_entries().
#pragma once

#include "chroma2/config/error.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace chroma2 {

// h·c in eV·nm: λ[nm] = hc_ev_nm / E[eV].
inline constexpr double hc_ev_nm = 1239.84198;

enum class SpectralUnit { nanometre, electronvolt };

// y(x) at the nodes x, interpolated linearly in x (in wavelength for nanometre tables, in photon
// energy for electronvolt ones, which is how Geant4 reads its tables). The grid may run either way.
struct SpectralTable {
  std::vector<double> x, y;
  SpectralUnit unit = SpectralUnit::nanometre;
};

// Names a table in error messages: its owner ("material 'water'") and property
// ("absorption_length"). x_unit overrides the unit shown for x (e.g. "ns" for a time CDF).
struct TableLabel {
  std::string owner;
  std::string property;
  std::string x_unit;
};

namespace detail {

inline std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

inline std::string x_unit_of(const SpectralTable& t, const TableLabel& label) {
  if (!label.x_unit.empty()) return label.x_unit;
  return t.unit == SpectralUnit::electronvolt ? "eV" : "nm";
}

// "material 'water' absorption_length entry 3 (x = 400 nm, y = -1)"
inline std::string describe_entry(const SpectralTable& t, const TableLabel& label, std::size_t i) {
  std::string s = label.owner + " " + label.property + " entry " + std::to_string(i) + " (x = ";
  s += i < t.x.size() ? format_number(t.x[i]) + " " + x_unit_of(t, label) : "missing";
  s += ", y = ";
  s += i < t.y.size() ? format_number(t.y[i]) : "missing";
  return s + ")";
}

}  // namespace detail

// Throws a chroma2::Error naming the owner, the property and the first entry that is not ok(y).
template <class Ok>
void check_entries(const SpectralTable& t, const TableLabel& label, Ok ok,
                   const std::string& rule) {
  for (std::size_t i = 0; i < t.y.size(); ++i)
    if (!ok(t.y[i]))
      fail(detail::describe_entry(t, label, i) + " is not allowed", rule,
           "correct the table of " + label.owner);
}

// The checks every table gets: at least 2 entries, as many x as y, finite values, a strictly
// monotonic grid (either direction) and, for an energy table, positive energies (so λ is finite).
inline void validate_spectral_table(const SpectralTable& t, const TableLabel& label) {
  const std::string fix = "correct the table of " + label.owner;
  const std::string name = label.owner + " " + label.property;
  if (t.x.size() != t.y.size())
    fail(name + " has " + std::to_string(t.x.size()) + " x values and " +
             std::to_string(t.y.size()) + " y values",
         "every entry needs both", fix);
  if (t.x.size() < 2)
    fail(name + " has " + std::to_string(t.x.size()) + " entries",
         "a table needs at least 2 to interpolate", fix);
  for (std::size_t i = 0; i < t.x.size(); ++i) {
    if (!std::isfinite(t.x[i]) || !std::isfinite(t.y[i]))
      fail(detail::describe_entry(t, label, i) + " is not finite", "tables hold finite numbers",
           fix);
    if (t.unit == SpectralUnit::electronvolt && t.x[i] <= 0)
      fail(detail::describe_entry(t, label, i) + " has a photon energy <= 0",
           "an energy converts to the wavelength hc/E", fix);
  }
  const bool increasing = t.x[1] > t.x[0];
  for (std::size_t i = 1; i < t.x.size(); ++i) {
    const bool step_ok = increasing ? t.x[i] > t.x[i - 1] : t.x[i] < t.x[i - 1];
    if (!step_ok)
      fail(detail::describe_entry(t, label, i) + " breaks the order of the grid",
           std::string("the grid must be strictly ") + (increasing ? "increasing" : "decreasing") +
               " and entry " + std::to_string(i - 1) +
               " has x = " + detail::format_number(t.x[i - 1]),
           "sort the table and remove repeated x values");
  }
}

}  // namespace chroma2
