// SPDX-License-Identifier: BSD-3-Clause
// What a mesh loader read: counts, the degenerate triangles it found (kept in the mesh, left out
// of the BVH) and the slivers (legal, counted for information). Loaders return it with the mesh.
#pragma once

#include "chroma2/geometry/mesh.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chroma2 {

struct MeshLoadSummary {
  std::string file;
  std::string format;  // "binary STL", "ASCII STL", "OBJ"
  std::size_t triangles = 0;
  std::size_t vertices = 0;               // after welding identical positions
  std::vector<std::uint32_t> degenerate;  // exactly zero area or a repeated index
  std::size_t slivers = 0;                // area below 1e-6 mm^2 but not zero
};

struct LoadedMesh {
  Mesh mesh;
  MeshLoadSummary summary;
};

namespace detail {
inline void summarise(LoadedMesh& l) {
  l.summary.triangles = l.mesh.size();
  l.summary.vertices = l.mesh.vertices.size();
  l.summary.degenerate = l.mesh.degenerate_triangles();
  std::size_t d = 0;
  for (std::size_t t = 0; t < l.mesh.size(); ++t) {
    if (d < l.summary.degenerate.size() && l.summary.degenerate[d] == t) {
      ++d;
      continue;
    }
    l.summary.slivers += l.mesh.area(t) < 1e-6;
  }
}
}  // namespace detail

}  // namespace chroma2
