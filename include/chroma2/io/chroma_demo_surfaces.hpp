// SPDX-License-Identifier: BSD-3-Clause
// Chroma's demo surfaces from the data folder's `surface_<name>.csv` tables (header
// `wavelength_nm,detect,absorb,reemit,reflect_diffuse,reflect_specular`, one row per wavelength),
// as SurfaceSpecs of Chroma's default model, in the demo's numbering: triangles name surfaces 1
// (black), 2 (shiny) and 3 (the R7081HQE photocathode), so id 0 is a surface without tables (a
// plain dielectric boundary), never named by the demo's triangles. Not included by chroma2.hpp.
#pragma once

#include "chroma2/config/error.hpp"
#include "chroma2/io/chroma_demo_materials.hpp"
#include "chroma2/physics/surface.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace chroma2 {

inline constexpr std::array<const char*, 6> chroma_surface_columns = {
    "wavelength_nm", "detect", "absorb", "reemit", "reflect_diffuse", "reflect_specular"};

// One surface table; every column checked (a number, a probability), errors name file and line.
inline SurfaceSpec read_chroma_surface_csv(const std::filesystem::path& file,
                                           const std::string& name) {
  std::ifstream in(file);
  if (!in)
    fail("cannot open surface table '" + file.string() + "' at line 0",
         "it does not exist or is not readable", "check the data folder");
  auto split = [](std::string_view row) {
    std::vector<std::string_view> f;
    for (std::size_t start = 0;;) {
      const std::size_t comma = row.find(',', start);
      f.push_back(detail::trim(row.substr(start, comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return f;
  };
  std::string text;
  std::string expected_header;
  for (const char* c : chroma_surface_columns)
    expected_header += (expected_header.empty() ? "" : ",") + std::string(c);
  if (!std::getline(in, text))
    detail::csv_fail(file, 1, "the header '" + expected_header + "'", "an empty file");
  {
    const auto h = split(detail::trim(text));
    bool ok = h.size() == chroma_surface_columns.size();
    for (std::size_t k = 0; ok && k < h.size(); ++k) ok = h[k] == chroma_surface_columns[k];
    if (!ok) detail::csv_fail(file, 1, "the header '" + expected_header + "'", text);
  }
  SurfaceSpec s;
  s.name = name;
  s.model = static_cast<std::uint32_t>(SurfaceModel::chroma);
  SpectralTable* columns[] = {&s.detect, &s.absorb, &s.reemit, &s.reflect_diffuse,
                              &s.reflect_specular};
  std::size_t line = 1, rows = 0;
  while (std::getline(in, text)) {
    ++line;
    const std::string_view row = detail::trim(text);
    if (row.empty()) continue;
    const auto f = split(row);
    if (f.size() != chroma_surface_columns.size())
      detail::csv_fail(file, line, "6 fields", std::string(row));
    double v[6];
    for (int k = 0; k < 6; ++k)
      if (!detail::parse_field(f[static_cast<std::size_t>(k)], v[k]))
        detail::csv_fail(file, line, "six finite numbers", std::string(row));
    for (int k = 1; k < 6; ++k)
      if (v[k] < 0 || v[k] > 1)
        detail::csv_fail(file, line,
                         std::string("a probability in [0, 1] for ") + chroma_surface_columns[k],
                         std::string(row));
    for (int k = 0; k < 5; ++k) {
      columns[k]->x.push_back(v[0]);
      columns[k]->y.push_back(v[k + 1]);
    }
    ++rows;
  }
  if (rows < 2)
    detail::csv_fail(file, line, "at least 2 rows after the header",
                     std::to_string(rows) + " row(s) and the end of the file");
  // The demo has no re-emitting surface; a table that re-emits would need a spectrum.
  bool reemits = false;
  for (double y : s.reemit.y) reemits = reemits || y > 0;
  if (!reemits) s.reemit = {};
  return s;
}

// The demo's surfaces in its numbering (see the header comment): 0 none, 1 black_surface,
// 2 shiny_surface, 3 r7081hqe_photocathode.
inline std::vector<SurfaceSpec> load_chroma_demo_surfaces(const std::filesystem::path& dir) {
  std::vector<SurfaceSpec> out(1);
  out[0].name = "none (the demo numbers its surfaces from 1)";
  for (const char* name : {"black_surface", "shiny_surface", "r7081hqe_photocathode"})
    out.push_back(read_chroma_surface_csv(dir / ("surface_" + std::string(name) + ".csv"), name));
  return out;
}

}  // namespace chroma2
