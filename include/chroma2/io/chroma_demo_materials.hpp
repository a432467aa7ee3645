// SPDX-License-Identifier: BSD-3-Clause
// Reads the material tables of Chroma's demo detectors (material_<name>_<property>.csv: a header
// line, then `wavelength_nm,value` rows) into MaterialSpecs for glass, vacuum and water, the demo's
// material ids 0, 1 and 2. Every malformed file gives a chroma2::Error naming the file and line.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/physics/material.hpp"
#include "chroma2/physics/spectral_table.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace chroma2 {

namespace detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

[[noreturn]] inline void csv_fail(const std::filesystem::path& file, std::size_t line,
                                  const std::string& expected, const std::string& found) {
  fail("table '" + file.string() + "' is malformed at line " + std::to_string(line),
       "expected " + expected + ", found '" + found + "'", "repair or re-export the file");
}

// A finite number filling the whole field (a leading '+' is allowed).
inline bool parse_field(std::string_view field, double& out) {
  if (!field.empty() && field.front() == '+') field.remove_prefix(1);
  const auto r = std::from_chars(field.data(), field.data() + field.size(), out);
  return r.ec == std::errc() && r.ptr == field.data() + field.size() && std::isfinite(out);
}

}  // namespace detail

// Reads one `wavelength_nm,<property>[ (unit)]` table. Blank lines are skipped.
inline SpectralTable read_wavelength_csv(const std::filesystem::path& file,
                                         const std::string& property) {
  std::ifstream in(file);
  if (!in)
    fail("cannot open table '" + file.string() + "' at line 0",
         "it does not exist or is not "
         "readable",
         "check the data folder");
  std::string text;
  std::size_t line = 0;
  if (!std::getline(in, text))
    detail::csv_fail(file, 1, "the header 'wavelength_nm," + property + "'", "an empty file");
  ++line;
  {
    const std::string_view header = detail::trim(text);
    const std::size_t comma = header.find(',');
    const std::string_view first = detail::trim(header.substr(0, comma));
    const std::string_view second = comma == std::string_view::npos
                                        ? std::string_view{}
                                        : detail::trim(header.substr(comma + 1));
    const bool named = second == property || (second.substr(0, property.size()) == property &&
                                              second.substr(property.size(), 2) == " (");
    if (first != "wavelength_nm" || !named)
      detail::csv_fail(file, line, "the header 'wavelength_nm," + property + "'",
                       std::string(header));
  }
  SpectralTable t;
  while (std::getline(in, text)) {
    ++line;
    const std::string_view row = detail::trim(text);
    if (row.empty()) continue;
    const std::size_t comma = row.find(',');
    double x = 0, y = 0;
    if (comma == std::string_view::npos || row.find(',', comma + 1) != std::string_view::npos)
      detail::csv_fail(file, line, "two fields 'wavelength_nm,value'", std::string(row));
    if (!detail::parse_field(detail::trim(row.substr(0, comma)), x) ||
        !detail::parse_field(detail::trim(row.substr(comma + 1)), y))
      detail::csv_fail(file, line, "two finite numbers", std::string(row));
    t.x.push_back(x);
    t.y.push_back(y);
  }
  if (t.x.size() < 2)
    detail::csv_fail(file, line, "at least 2 rows after the header",
                     std::to_string(t.x.size()) + " row(s) and the end of the file");
  validate_spectral_table(t, {"table '" + file.string() + "'", property, ""});
  return t;
}

// One demo material: refractive_index, absorption_length (mm) and scattering_length (mm).
inline MaterialSpec load_chroma_demo_material(const std::filesystem::path& dir,
                                              const std::string& name) {
  auto table = [&](const std::string& property) {
    return read_wavelength_csv(dir / ("material_" + name + "_" + property + ".csv"), property);
  };
  MaterialSpec m;
  m.name = name;
  m.refractive_index = table("refractive_index");
  m.absorption_length = table("absorption_length");
  m.scattering_length = table("scattering_length");
  return m;
}

// glass, vacuum, water: the demo's material ids 0, 1, 2.
inline std::vector<MaterialSpec> load_chroma_demo_materials(const std::filesystem::path& dir) {
  std::vector<MaterialSpec> out;
  for (const char* name : {"glass", "vacuum", "water"})
    out.push_back(load_chroma_demo_material(dir, name));
  return out;
}

}  // namespace chroma2
