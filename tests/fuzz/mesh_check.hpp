// SPDX-License-Identifier: BSD-3-Clause
// What the mesh-file fuzz targets check of a mesh a reader returned (fuzz_stl, fuzz_obj): it
// passes Mesh::validate, has at least one triangle, carries the requested materials on every
// triangle, and its load summary agrees with it. A failure aborts: libFuzzer keeps the input.
#pragma once

#include "chroma2/io/mesh_summary.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace chroma2::fuzz {

[[noreturn]] inline void finding(const char* target, const char* what) {
  std::fprintf(stderr, "%s: the reader returned a bad mesh: %s\n", target, what);
  std::abort();
}

inline void check_loaded_mesh(const char* target, const LoadedMesh& l, const SolidMaterials& m) {
  try {
    l.mesh.validate(target);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    finding(target, "the mesh fails Mesh::validate");
  }
  if (l.mesh.triangles.empty()) finding(target, "no triangles and no Error");
  if (l.mesh.materials.size() != l.mesh.size()) finding(target, "one material entry per triangle");
  for (const auto& t : l.mesh.materials)
    if (t.inner != m.inner || t.outer != m.outer || t.surface != m.surface)
      finding(target, "a triangle without the requested materials");
  if (l.summary.triangles != l.mesh.size() || l.summary.vertices != l.mesh.vertices.size())
    finding(target, "summary counts differ from the mesh");
  std::uint32_t previous = 0;
  for (std::size_t i = 0; i < l.summary.degenerate.size(); ++i) {
    const std::uint32_t d = l.summary.degenerate[i];
    if (d >= l.mesh.size() || (i > 0 && d <= previous))
      finding(target, "degenerate list out of order");
    previous = d;
  }
}

}  // namespace chroma2::fuzz
